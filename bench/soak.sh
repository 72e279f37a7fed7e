#!/usr/bin/env bash
# Sustained load on the simulator with the transcript on and every exchange streamed to a JSON Lines file: shows that
# memory stays flat (the newest TRANSCRIPT_CAPACITY exchanges in memory, the rest evicted) while the file keeps every
# exchange.
#
# Usage: bench/soak.sh        MINUTES=10 CONCURRENCY=16 SAMPLE_EVERY=30 by default; TRANSCRIPT_CAPACITY=N (default the
#                             simulator's, 100000); KEEP_TRANSCRIPT=1 keeps the file (it grows ~700 bytes per exchange,
#                             several GB for 10 minutes at full speed: it is written under SOAK_DIR, default a temp dir).
#
# Prints a SAMPLE line every SAMPLE_EVERY seconds (working set, managed heap, exchanges, in memory, evicted, file lines),
# then STATS (peak working set, live heap after a full GC, bytes per exchange in memory), FILE (lines, bytes, lost,
# stalls), and checks that the file has exactly one line per exchange. Exits 1 if it does not, or if a request failed.
set -euo pipefail
cd "$(dirname "$0")/.."

MINUTES="${MINUTES:-10}"
CONCURRENCY="${CONCURRENCY:-16}"
SAMPLE_EVERY="${SAMPLE_EVERY:-30}"

dotnet build bench/LoadBench -c Release -nologo -v quiet >/dev/null
BENCH=(dotnet bench/LoadBench/bin/Release/net10.0/LoadBench.dll)

dir="${SOAK_DIR:-$(mktemp -d)}"
mkdir -p "$dir"
file="$dir/transcript.jsonl"
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  [ "${KEEP_TRANSCRIPT:-0}" = 1 ] || rm -f "$file"
  [ -n "${SOAK_DIR:-}" ] || { [ "${KEEP_TRANSCRIPT:-0}" = 1 ] || rm -rf "$dir"; }
}
trap cleanup EXIT

serve_args=(serve --port 0 --bare-port 0 --transcript-file "$file" --sample-every "$SAMPLE_EVERY")
[ -n "${TRANSCRIPT_CAPACITY:-}" ] && serve_args+=(--transcript-capacity "$TRANSCRIPT_CAPACITY")
"${BENCH[@]}" "${serve_args[@]}" >"$dir/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 300); do
  grep -q '^READY' "$dir/serve.log" && break
  kill -0 "$server" 2>/dev/null || { echo "the simulator exited early:"; cat "$dir/serve.log"; exit 2; }
  sleep 0.1
done
grep -q '^READY' "$dir/serve.log" || { echo "the simulator did not become ready in 30 s"; cat "$dir/serve.log"; exit 2; }
value() { sed -n "s/^$1=//p" "$dir/serve.log"; }
SIM_URL="$(value SIM_URL)"; SUB="$(value SUBSCRIPTION)"; SECRET="$(value SECRET)"
echo "soak: $MINUTES min of signed POST /run at $CONCURRENCY connections against $SIM_URL, transcript file $file, a sample every ${SAMPLE_EVERY}s"

load_status=0
"${BENCH[@]}" load --target "sim=$SIM_URL/api/subscriptions/$SUB/run" --cpu "sim=$server" --rounds 1 --seconds "$((MINUTES * 60))" \
  --concurrency "$CONCURRENCY" --warmup 0 --prewarm 0 --signed --secret "$SECRET" --subscription "$SUB" >"$dir/load.log" || load_status=$?
kill -TERM "$server"; wait "$server" || true; server=""

grep '^SAMPLE' "$dir/serve.log"
grep '^RESULT' "$dir/load.log" | sed 's/ url=[^ ]*//'
grep -E '^(STATS|FILE)' "$dir/serve.log"
exchanges="$(sed -n 's/^STATS exchanges=\([0-9]*\).*/\1/p' "$dir/serve.log")"
lines="$(wc -l <"$file")"
echo "file: $lines lines, $(du -h "$file" | cut -f1) on disk, for $exchanges exchanges"

if [ "$load_status" -ne 0 ]; then echo "FAIL: some requests failed or were not 2xx"; exit 1; fi
if [ "$lines" != "$exchanges" ]; then echo "FAIL: the file has $lines lines for $exchanges exchanges"; exit 1; fi
echo "OK: one line per exchange, memory bounded by the transcript capacity"
