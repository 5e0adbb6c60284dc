#!/usr/bin/env bash
# What readiness history adds to `cutover build`:
#
#   scripts/bench-history.sh
#
# Generates a portfolio (N workloads, default 1,000), commits it to a fresh
# git repository DAYS days before its as-of date (default 180), then adds
# COMMITS further commits (default 60) spread over those days by four
# authors: most change the body of two evidence files, every tenth adds a
# workload (a copy of another), every fifteenth changes site.yaml.
# It times `cutover build` of the repository with `history_days: DAYS`
# against the same build with `history_days: 0`, alternating the two, RUNS
# times each after a warm-up, and prints the medians of wall and CPU time
# and the peak resident memory. Nothing is asserted; the goal (history at
# most 2x) is printed with its verdict.
#
# Settings (environment): N, COMMITS, DAYS, RUNS (default 5), SEED (default 1),
# BENCH_DIR (default /dev/shm/cutover-history, else $TMPDIR).
set -euo pipefail

N=${N:-1000}
COMMITS=${COMMITS:-60}
DAYS=${DAYS:-180}
RUNS=${RUNS:-5}
SEED=${SEED:-1}
if [[ -z ${BENCH_DIR:-} ]]; then
    if [[ -d /dev/shm && -w /dev/shm ]]; then BENCH_DIR=/dev/shm/cutover-history; else BENCH_DIR=${TMPDIR:-/tmp}/cutover-history; fi
fi

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
cargo build --release --quiet --bin cutover --example gen_portfolio
bin=$repo/target/release/cutover
gen=$repo/target/release/examples/gen_portfolio

site=$BENCH_DIR/repo
rm -rf "$BENCH_DIR"
mkdir -p "$BENCH_DIR"
"$gen" --workloads "$N" --seed "$SEED" --out "$site" >/dev/null
as_of=$(sed -n 's/^as_of: //p' "$site/content/site.yaml")

# Hermetic git: no user or system configuration, fixed identities and dates.
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
g() { git -C "$site" -c init.defaultBranch=main -c commit.gpgsign=false "$@"; }
as() { # as NAME DAY -- git args...
    local who=$1 day=$2
    shift 2
    GIT_AUTHOR_NAME=$who GIT_AUTHOR_EMAIL=$who@fabrikam.example GIT_AUTHOR_DATE="$day 12:00:00 +0000" \
        GIT_COMMITTER_NAME=$who GIT_COMMITTER_EMAIL=$who@fabrikam.example GIT_COMMITTER_DATE="$day 12:00:00 +0000" \
        g "$@"
}
g init -q
g add -A
as erin "$(date -u -d "$as_of - $DAYS days" +%F)" commit -q -m "Portfolio"
mapfile -t files < <(cd "$site" && find content/workloads -name '*.md' | sort)
mapfile -t folders < <(cd "$site" && find content/workloads -mindepth 1 -maxdepth 1 -type d | sort)
authors=(erin carol bob dana)
for ((k = 1; k <= COMMITS; k++)); do
    if ((k % 10 == 0)); then
        src=${folders[$(((k * 104729) % ${#folders[@]}))]}
        cp -r "$site/$src" "$site/content/workloads/added-$k"
        sed -i 's/^depends_on:.*$//' "$site/content/workloads/added-$k/workload.yaml"
    elif ((k % 15 == 0)); then
        printf '# Reviewed (change %d).\n' "$k" >>"$site/content/site.yaml"
    else
        for j in 1 2; do
            f=${files[$(((k * 7919 + j * 31) % ${#files[@]}))]}
            printf '\nReviewed again (change %d).\n' "$k" >>"$site/$f"
        done
    fi
    day=$(date -u -d "$as_of - $DAYS days + $((k * DAYS / (COMMITS + 1))) days" +%F)
    g add -A
    as "${authors[$((k % 4))]}" "$day" commit -q -m "Change $k"
done
cp "$site/content/site.yaml" "$BENCH_DIR/site.yaml"
with_days() { # with_days N: the work tree's site.yaml says history_days: N
    { cat "$BENCH_DIR/site.yaml"; echo "history_days: $1"; } >"$site/content/site.yaml"
}

cd "$BENCH_DIR"
measure() { # measure -> "wall cpu rss_mib"
    "/usr/bin/time" -o "$BENCH_DIR/time.txt" -f '%e %U %S %M' "$bin" build "$site" --out "$BENCH_DIR/out" -q >/dev/null 2>&1
    awk '{printf "%s %.2f %d\n", $1, $2 + $3, $4 / 1024}' "$BENCH_DIR/time.txt"
}
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
with_days "$DAYS"
measure >/dev/null
with_days 0
measure >/dev/null
: >hist.tsv
: >off.tsv
for ((r = 1; r <= RUNS; r++)); do
    with_days "$DAYS"
    measure >>hist.tsv
    with_days 0
    measure >>off.tsv
done
hw=$(cut -d' ' -f1 hist.tsv | median)
hc=$(cut -d' ' -f2 hist.tsv | median)
hm=$(cut -d' ' -f3 hist.tsv | median)
ow=$(cut -d' ' -f1 off.tsv | median)
oc=$(cut -d' ' -f2 off.tsv | median)
om=$(cut -d' ' -f3 off.tsv | median)
echo "portfolio: $N workloads, $(git -C "$site" rev-list --count HEAD) commits over $DAYS days; $(nproc) cores; $RUNS runs, medians"
echo "| build | wall s | CPU s | peak RSS MiB |"
echo "|---|---|---|---|"
echo "| history_days: 0 | $ow | $oc | $om |"
echo "| history_days: $DAYS | $hw | $hc | $hm |"
awk -v h="$hw" -v o="$ow" 'BEGIN {r = h / o; printf "history makes the build %.2fx as long (goal: at most 2x): %s\n", r, (r <= 2 ? "met" : "NOT met")}'
