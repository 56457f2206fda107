#!/usr/bin/env bash
# Times whole iamdrill commands (release build) on large generated collections and prints a
# Markdown table: wall time (median of SCALE_RUNS runs, after one warm-up run) and peak RSS
# (largest of the runs), the database's bytes per review, and `hashcards check` on the same
# questions when hashcards is installed.
#
#   benches/scale.sh                      # 10k cards / 100k reviews and 100k cards / 1M reviews
#   benches/scale.sh 2000:20000:4         # CARDS:REVIEWS:FILES, one or more
#
# Environment: SCALE_RUNS (default 3); SCALE_NO_BUILD=1 uses the binaries already built;
# SCALE_BIN_DIR=DIR takes `iamdrill` and `gen_collection` from DIR instead (and builds nothing),
# e.g. to time an older build;
# HASHCARDS=path to the hashcards binary (default: `hashcards` on PATH, then
# /work/tools/bin/hashcards); SCALE_KEEP=1 keeps the generated directories.
# The cards are written by `examples/gen_collection` (YAML decks in FILES files, and the same
# questions as hashcards Markdown); the review log is simulated with the scheduler.
# Figures depend on the machine's load: the script prints the load average with each table.
set -euo pipefail

cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
runs="${SCALE_RUNS:-3}"
sizes=("$@")
if [ ${#sizes[@]} -eq 0 ]; then
    sizes=(10000:100000:20 100000:1000000:20)
fi

if [ -n "${SCALE_BIN_DIR:-}" ]; then
    bin="$SCALE_BIN_DIR/iamdrill"
    gen="$SCALE_BIN_DIR/gen_collection"
else
    if [ -z "${SCALE_NO_BUILD:-}" ]; then
        cargo build --release --locked --bin iamdrill --example gen_collection >&2
    fi
    bin="$target/release/iamdrill"
    gen="$target/release/examples/gen_collection"
fi

hashcards="${HASHCARDS:-}"
if [ -z "$hashcards" ]; then
    hashcards="$(command -v hashcards || true)"
fi
if [ -z "$hashcards" ] && [ -x /work/tools/bin/hashcards ]; then
    hashcards=/work/tools/bin/hashcards
fi

# Runs "$@" once, printing "MILLISECONDS KILOBYTES" (wall time, peak resident set).
measure_once() {
    local start end rss
    local rss_file
    rss_file="$(mktemp)"
    start=$(date +%s%N)
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f '%M' -o "$rss_file" "$@" >/dev/null 2>&1 || true
    else
        # Without GNU time: the child's peak from getrusage, read by python3.
        python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
open(sys.argv[1], "w").write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))' \
            "$rss_file" "$@"
    fi
    end=$(date +%s%N)
    rss=$(tail -n 1 "$rss_file")
    rm -f "$rss_file"
    echo "$(( (end - start) / 1000000 )) $rss"
}

# Prints "MEDIAN_MS PEAK_MB" over $runs runs after one warm-up run.
measure() {
    measure_once "$@" >/dev/null
    local times=() peak=0 t k
    for _ in $(seq "$runs"); do
        read -r t k < <(measure_once "$@")
        times+=("$t")
        if [ "$k" -gt "$peak" ]; then peak=$k; fi
    done
    local median
    median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
    echo "$median $(( peak / 1024 ))"
}

row() {
    local label="$1"
    shift
    local ms mb
    read -r ms mb < <(measure "$@")
    printf '| %s | %s ms | %s MB |\n' "$label" "$ms" "$mb"
}

for size in "${sizes[@]}"; do
    IFS=: read -r cards reviews files <<<"$size"
    files="${files:-20}"
    work="$(mktemp -d "${TMPDIR:-/tmp}/iamdrill-scale.XXXXXX")"
    mkdir -p "$work/config" "$work/builtin-only"
    "$gen" generate "$work/data" "$cards" "$reviews" >&2
    "$gen" decks "$work/config/decks" "$cards" "$files" "$work/hashcards" >&2
    export IAMDRILL_DATA_DIR="$work/data" IAMDRILL_CONFIG_DIR="$work/config"
    # The first command of a day takes the daily backup: do it before timing anything.
    "$bin" due >/dev/null 2>&1 || true

    echo
    echo "### $cards cards in $files files, $reviews reviews"
    echo
    echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; median of $runs runs"
    echo
    echo "| command | time | peak RSS |"
    echo "|---|---|---|"
    row '`due`' "$bin" due
    row '`stats`' "$bin" stats
    row '`decks check`' "$bin" decks check "$work/config/decks"
    row '`decks list --json`' "$bin" decks list --json
    row '`export reviews`' "$bin" export reviews
    IAMDRILL_CONFIG_DIR="$work/builtin-only" row '`stats`, built-in decks only' "$bin" stats
    if [ -n "$hashcards" ]; then
        row '`hashcards check` (same questions)' "$hashcards" check "$work/hashcards"
    else
        echo '| `hashcards check` | not installed | |'
    fi
    db="$work/data/progress.sqlite3"
    bytes=$(stat -c %s "$db")
    if [ -f "$db-wal" ]; then bytes=$(( bytes + $(stat -c %s "$db-wal") )); fi
    printf '| database | %s bytes | %s bytes per review |\n' "$bytes" "$(( bytes / reviews ))"
    echo
    echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
    if [ -z "${SCALE_KEEP:-}" ]; then
        rm -rf "$work"
    else
        echo "kept $work" >&2
    fi
done
