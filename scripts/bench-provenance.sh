#!/usr/bin/env bash
# What reading git for sign-off provenance adds to `cutover build`:
#
#   scripts/bench-provenance.sh
#
# Generates a portfolio (N workloads, default 1,000), commits it to a fresh
# git repository, then adds COMMITS further commits (default 300) by four
# authors, each changing the body of one evidence file.
# It times `cutover build` of the repository's site root (provenance read
# from the history) against the same files copied outside any work tree
# (no provenance), alternating the two, RUNS times each after a warm-up, and
# prints the medians of wall and CPU time. Nothing is asserted; the goal
# (at most +50%) is printed with its verdict.
#
# Settings (environment): N, COMMITS, RUNS (default 5), SEED (default 1),
# BENCH_DIR (default /dev/shm/cutover-provenance, else $TMPDIR).
set -euo pipefail

N=${N:-1000}
COMMITS=${COMMITS:-300}
RUNS=${RUNS:-5}
SEED=${SEED:-1}
if [[ -z ${BENCH_DIR:-} ]]; then
    if [[ -d /dev/shm && -w /dev/shm ]]; then BENCH_DIR=/dev/shm/cutover-provenance; else BENCH_DIR=${TMPDIR:-/tmp}/cutover-provenance; fi
fi

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
cargo build --release --quiet --bin cutover --example gen_portfolio
bin=$repo/target/release/cutover
gen=$repo/target/release/examples/gen_portfolio

site=$BENCH_DIR/repo
plain=$BENCH_DIR/plain
rm -rf "$BENCH_DIR"
mkdir -p "$BENCH_DIR"
"$gen" --workloads "$N" --seed "$SEED" --out "$site" >/dev/null

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
as erin 2026-06-01 commit -q -m "Portfolio"
mapfile -t files < <(cd "$site" && find content/workloads -name '*.md' | sort)
authors=(erin carol bob dana)
for ((k = 1; k <= COMMITS; k++)); do
    f=${files[$(((k * 7919) % ${#files[@]}))]}
    printf '\nReviewed again (change %d).\n' "$k" >>"$site/$f"
    day=$(date -u -d "2026-06-01 + $((k / 3)) days" +%F)
    g add "$f"
    as "${authors[$((k % 4))]}" "$day" commit -q -m "Change $k"
done
cp -r "$site" "$plain"
rm -rf "$plain/.git"

cd "$BENCH_DIR"
measure() { # measure DIR -> "wall cpu" seconds
    "/usr/bin/time" -o "$BENCH_DIR/time.txt" -f '%e %U %S' "$bin" build "$1" --out "$BENCH_DIR/out" -q >/dev/null 2>&1
    awk '{printf "%s %.2f\n", $1, $2 + $3}' "$BENCH_DIR/time.txt"
}
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
measure "$site" >/dev/null
measure "$plain" >/dev/null
: >git.tsv
: >plain.tsv
for ((r = 1; r <= RUNS; r++)); do
    measure "$site" >>git.tsv
    measure "$plain" >>plain.tsv
done
gw=$(cut -d' ' -f1 git.tsv | median)
gc=$(cut -d' ' -f2 git.tsv | median)
pw=$(cut -d' ' -f1 plain.tsv | median)
pc=$(cut -d' ' -f2 plain.tsv | median)
echo "portfolio: $N workloads, $(git -C "$site" rev-list --count HEAD) commits; $(nproc) cores; $RUNS runs, medians"
echo "| build | wall s | CPU s |"
echo "|---|---|---|"
echo "| outside git (no provenance) | $pw | $pc |"
echo "| in the repository (provenance) | $gw | $gc |"
awk -v g="$gw" -v p="$pw" 'BEGIN {d = (g / p - 1) * 100; printf "provenance adds %.0f%% to the wall time (goal: at most 50%%): %s\n", d, (d <= 50 ? "met" : "NOT met")}'
