#!/usr/bin/env bash
# The performance benchmark of cutover: one command, see docs/PERFORMANCE.md.
#
#   scripts/bench.sh
#
# Builds the release binary and the generator, generates synthetic portfolios
# (1,000 and 10,000 workloads by default), and times whole processes with
# /usr/bin/time -v: `cutover check`, `cutover build`, the I/O floor
# (examples/floor.rs: read every input byte, write the files the build wrote)
# and, where `hugo` is on PATH, Hugo building the same evidence files with
# minimal templates. They run in rounds, each command of every size once per
# round (one warm-up round, then RUNS timed ones), so that a slower spell of
# the machine falls on all of them alike, the 1,000 and 10,000 builds whose
# ratio is the growth goal included; the table shows the medians of wall time, CPU
# time (user + sys) and peak memory (maximum resident set size). Nothing here
# asserts a time: the goals are printed with their verdict and the exit code
# is 0 unless something failed.
#
# Settings (environment):
#   SIZES="1000 10000"  workload counts
#   RUNS=5              timed runs after the warm-up
#   SEED=1              generator seed
#   BENCH_DIR=...       work folder; default /dev/shm/cutover-bench (tmpfs) if
#                       /dev/shm is writable, else ${TMPDIR:-/tmp}/cutover-bench.
#                       Portfolios are kept there and reused while size, seed
#                       and generator are unchanged; outputs are removed.
#   HUGO=hugo           the Hugo binary; HUGO= (empty) skips Hugo
set -euo pipefail

SIZES=${SIZES:-"1000 10000"}
RUNS=${RUNS:-5}
SEED=${SEED:-1}
HUGO=${HUGO-hugo}
if [[ -z ${BENCH_DIR:-} ]]; then
    if [[ -d /dev/shm && -w /dev/shm ]]; then
        BENCH_DIR=/dev/shm/cutover-bench
    else
        BENCH_DIR=${TMPDIR:-/tmp}/cutover-bench
    fi
fi

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

if [[ ! -x /usr/bin/time ]]; then
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
        echo "installing GNU time (Debian package \`time\`) for /usr/bin/time -v" >&2
        apt-get install -y -qq time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
    else
        echo "error: /usr/bin/time is missing; install GNU time (Debian: apt-get install time)" >&2
        exit 2
    fi
fi
if [[ -n $HUGO ]] && ! command -v "$HUGO" >/dev/null; then
    echo "note: $HUGO is not on PATH; skipping the Hugo comparison (Debian: apt-get install hugo)" >&2
    HUGO=
fi

cargo build --release --quiet --bin cutover --example gen_portfolio --example floor
bin=$repo/target/release/cutover
gen=$repo/target/release/examples/gen_portfolio
floor=$repo/target/release/examples/floor

mkdir -p "$BENCH_DIR"
results=$BENCH_DIR/results.tsv
: >"$results"

# --- the machine -------------------------------------------------------------
echo "## Machine"
echo
echo "- date: $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src templates Cargo.toml || echo ' (with local changes)')"
echo "- cores: $(nproc); CPU: $(lscpu | sed -n 's/^Model name: *//p' | head -1)"
echo "- memory: $(free -g | awk '/^Mem:/ {print $2}') GiB; kernel $(uname -r)"
echo "- work folder: $BENCH_DIR ($(df -T "$BENCH_DIR" | awk 'NR==2 {print $2}'))"
echo "- $(rustc --version); $([[ -n $HUGO ]] && "$HUGO" version | cut -d' ' -f1-2 || echo 'no hugo')"
echo "- runs: 1 warm-up + $RUNS timed, medians shown; SEED=$SEED"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
echo "- load average before the runs: $load_start"
if awk -v l="${load_start%% *}" -v n="$(nproc)" 'BEGIN {exit !(l > n / 2)}'; then
    echo "- **warning: the machine is busy; wall times are inflated, CPU times less so**"
fi
echo

# --- helpers -----------------------------------------------------------------
median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.6f\n", (a[NR/2]+a[NR/2+1])/2}'; }

# The commands of all sizes, run in rounds: each round runs every command once,
# so a change in the machine's speed during the benchmark (other guests on the
# host, memory the host takes back) touches build, floor and Hugo, and the
# small and the large portfolio, alike and leaves their ratios alone. Round 0
# is the warm-up and is not counted.
sizes=() names=() preps=() cmds=()
add() { sizes+=("$1"); names+=("$2"); preps+=("$3"); cmds+=("$4"); } # SIZE NAME PREP COMMAND (shell words)

# run_rounds: RUNS timed rounds after a warm-up; appends each command's medians to $results.
run_rounds() {
    local i run start end tf log
    local -A walls=() cpus=() rsss=()
    tf=$(mktemp) log=$(mktemp)
    for ((run = 0; run <= RUNS; run++)); do
        for i in "${!names[@]}"; do
            eval "${preps[i]}"
            start=$EPOCHREALTIME
            if ! eval "/usr/bin/time -v -o \"\$tf\" ${cmds[i]}" >"$log" 2>&1; then
                echo "error: \`${cmds[i]}\` failed:" >&2
                tail -20 "$log" >&2
                exit 1
            fi
            end=$EPOCHREALTIME
            ((run == 0)) && continue
            walls[$i]+="$(awk -v s="$start" -v e="$end" 'BEGIN {printf "%.4f", e - s}') "
            cpus[$i]+="$(awk -F': ' '/User time|System time/ {t += $2} END {printf "%.2f", t}' "$tf") "
            rsss[$i]+="$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tf") "
        done
    done
    local wall cpu rss
    for i in "${!names[@]}"; do
        wall=$(printf '%s\n' ${walls[$i]} | median)
        cpu=$(printf '%s\n' ${cpus[$i]} | median)
        rss=$(printf '%s\n' ${rsss[$i]} | median)
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "${sizes[i]}" "${names[i]}" "$wall" "$cpu" "$rss" "${walls[$i]}" >>"$results"
        printf '  %6s %-6s wall %7.3f s  cpu %7.2f s  peak %7.1f MiB   (runs: %s)\n' "${sizes[i]}" \
            "${names[i]}" "$wall" "$cpu" "$(awk -v k="$rss" 'BEGIN {print k / 1024}')" "${walls[$i]}" >&2
    done
    rm -f "$tf" "$log"
}

get() { awk -F'\t' -v s="$1" -v n="$2" -v c="$3" '$1 == s && $2 == n {print ($3 ~ /^[0-9]+$/ || c != 3) ? $c : sprintf("%.3f", $c)}' "$results"; }

hugo_site() { # ROOT SITE: a minimal Hugo site over the same evidence files
    local root=$1 site=$2
    rm -rf "$site"
    mkdir -p "$site/layouts/_default" "$site/content"
    cat >"$site/config.toml" <<'EOF'
baseURL = "/"
title = "Hugo reference"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
EOF
    cat >"$site/layouts/_default/single.html" <<'EOF'
<!doctype html><html><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><h1>{{ .Title }}</h1>{{ .Content }}</body></html>
EOF
    cat >"$site/layouts/_default/list.html" <<'EOF'
<!doctype html><html><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><h1>{{ .Title }}</h1>{{ .Content }}
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></body></html>
EOF
    cp -r "$root/content/workloads" "$site/content/"
    printf -- '---\ntitle: Workloads\n---\n' >"$site/content/workloads/_index.md"
    local d
    for d in "$site"/content/workloads/*/; do
        d=${d%/}
        printf -- '---\ntitle: %s\n---\n' "${d##*/}" >"$d/_index.md"
    done
}

# --- the runs ----------------------------------------------------------------
gen_sum=$(sha256sum "$gen" | cut -c1-16)
cleanup=()
for n in $SIZES; do
    root=$BENCH_DIR/portfolio-$n
    stamp="$n $SEED $gen_sum"
    if [[ ! -f $root/.stamp || $(cat "$root/.stamp") != "$stamp" ]]; then
        rm -rf "$root"
        "$gen" --workloads "$n" --seed "$SEED" --out "$root"
        echo "$stamp" >"$root/.stamp"
    fi
    if ! "$bin" check "$root" >/dev/null 2>&1; then
        echo "error: the generated portfolio does not pass cutover check:" >&2
        "$bin" check "$root" 2>&1 | tail -20 >&2
        exit 1
    fi
    out=$BENCH_DIR/site-$n fout=$BENCH_DIR/floor-$n hout=$BENCH_DIR/hugo-public-$n
    echo "$n workloads: $(find "$root/content" -type f | wc -l) input files, $(du -sb "$root/content" | cut -f1) bytes" >&2
    # One build first, to learn what it writes: the floor writes the same files.
    rm -rf "$out"
    if ! "$bin" build "$root" --out "$out" >"$BENCH_DIR/first-build.log" 2>&1; then
        echo "error: cutover build failed:" >&2
        tail -20 "$BENCH_DIR/first-build.log" >&2
        exit 1
    fi
    find "$out" -type f -printf '%s\t%P\n' >"$BENCH_DIR/manifest-$n.tsv"
    printf '%s\t%s\t%s\t%s\n' "$n" outputs "$(wc -l <"$BENCH_DIR/manifest-$n.tsv")" \
        "$(awk -F'\t' '{s += $1} END {print s}' "$BENCH_DIR/manifest-$n.tsv")" >>"$results"
    rm -rf "$out"
    add "$n" check ":" "'$bin' check '$root'"
    add "$n" build "rm -rf '$out'" "'$bin' build '$root' --out '$out'"
    add "$n" floor "rm -rf '$fout'" "'$floor' '$root/content' '$BENCH_DIR/manifest-$n.tsv' '$fout'"
    cleanup+=("$out" "$fout")
    if [[ -n $HUGO ]]; then
        hugo_site "$root" "$BENCH_DIR/hugo-$n"
        add "$n" hugo "rm -rf '$hout'" "'$HUGO' --quiet -s '$BENCH_DIR/hugo-$n' -d '$hout'"
        cleanup+=("$hout" "$BENCH_DIR/hugo-$n")
    fi
done
echo "timing: $((RUNS + 1)) rounds of ${#names[@]} commands" >&2
run_rounds
rm -rf "${cleanup[@]}"

# --- the report --------------------------------------------------------------
echo "## Results"
echo
echo "load average after the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| workloads | command | wall (s) | CPU user+sys (s) | peak RSS (MiB) | vs floor | vs Hugo |"
echo "|---:|---|---:|---:|---:|---:|---:|"
for n in $SIZES; do
    fl=$(get "$n" floor 3) hu=$(get "$n" hugo 3)
    for name in check build floor hugo; do
        wall=$(get "$n" $name 3)
        [[ -z $wall ]] && continue
        awk -v n="$n" -v name="$name" -v w="$wall" -v c="$(get "$n" $name 4)" -v r="$(get "$n" $name 5)" -v f="$fl" -v h="$hu" 'BEGIN {
            vf = (name == "build" && f > 0) ? sprintf("%.1fx", w / f) : ""
            vh = (name == "build" && h > 0) ? sprintf("%.3f", w / h) : ""
            printf "| %d | %s | %.3f | %.2f | %.0f | %s | %s |\n", n, name, w, c, r / 1024, vf, vh
        }'
    done
done
echo
for n in $SIZES; do
    echo "- $n workloads: build wrote $(get "$n" outputs 3) files, $(get "$n" outputs 4) bytes"
done
echo

# The goals of the performance issue, where this run measured what they need.
verdict() { awk -v a="$1" -v b="$2" 'BEGIN {print (a <= b) ? "met" : "NOT met"}'; }
echo "## Goals"
echo
if [[ -n $(get 10000 build 3) ]]; then
    b=$(get 10000 build 3) c=$(get 10000 check 3)
    echo "- 10,000 build <= 5 s: $b s, $(verdict "$b" 5)"
    echo "- 10,000 check <= 2 s: $c s, $(verdict "$c" 2)"
    for name in check build; do
        r=$(get 10000 $name 5)
        echo "- 10,000 $name peak memory <= 1 GiB: $((r / 1024)) MiB, $(verdict "$r" 1048576)"
    done
fi
if [[ -n $(get 1000 build 3) && -n $(get 1000 hugo 3) ]]; then
    b=$(get 1000 build 3) h=$(get 1000 hugo 3)
    echo "- 1,000 build <= Hugo / 10: $b s vs $h s (ratio $(awk -v b="$b" -v h="$h" 'BEGIN {printf "%.3f", b / h}')), $(verdict "$b" "$(awk -v h="$h" 'BEGIN {print h / 10}')")"
fi
if [[ -n $(get 1000 build 3) && -n $(get 10000 build 3) ]]; then
    g=$(awk -v a="$(get 10000 build 3)" -v b="$(get 1000 build 3)" 'BEGIN {printf "%.2f", a / b}')
    echo "- growth 10,000 / 1,000 build <= 11: $g, $(verdict "$g" 11)"
fi
for n in $SIZES; do
    b=$(get "$n" build 3) f=$(get "$n" floor 3)
    [[ -n $f ]] || continue
    r=$(awk -v b="$b" -v f="$f" 'BEGIN {printf "%.2f", b / f}')
    echo "- $n build <= 4 x floor: $b s vs $f s ($r x), $(verdict "$r" 4)"
done
echo
echo "raw results: $results" >&2
