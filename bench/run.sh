#!/usr/bin/env bash
# Signed POST /run on the simulator vs. a bare Kestrel endpoint, same host, same client, same machine.
# Usage: bench/run.sh            (SECONDS_PER_RUN=5 CONCURRENCY=32 by default)
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_RUN="${SECONDS_PER_RUN:-5}"
CONCURRENCY="${CONCURRENCY:-32}"

dotnet build bench/LoadBench -c Release -nologo -v quiet >/dev/null
BENCH=(dotnet bench/LoadBench/bin/Release/net10.0/LoadBench.dll)

log="$(mktemp)"
"${BENCH[@]}" serve --port 0 --bare-port 0 >"$log" 2>&1 &
server=$!
cleanup() { kill "$server" 2>/dev/null || true; rm -f "$log"; }
trap cleanup EXIT

for _ in $(seq 1 300); do
  grep -q '^READY' "$log" && break
  kill -0 "$server" 2>/dev/null || { echo "server exited early:"; cat "$log"; exit 2; }
  sleep 0.1
done
grep -q '^READY' "$log" || { echo "server did not become ready in 30 s:"; cat "$log"; exit 2; }

value() { sed -n "s/^$1=//p" "$log"; }
SIM_URL="$(value SIM_URL)"; BARE_URL="$(value BARE_URL)"; SUB="$(value SUBSCRIPTION)"; SECRET="$(value SECRET)"
echo "simulator $SIM_URL (subscription $SUB), bare $BARE_URL; ${SECONDS_PER_RUN}s x ${CONCURRENCY} connections each, 1 s warm-up"

run_line="$("${BENCH[@]}" load --url "$SIM_URL/api/subscriptions/$SUB/run" --seconds "$SECONDS_PER_RUN" --concurrency "$CONCURRENCY" \
  --signed --secret "$SECRET" --subscription "$SUB")"
echo "$run_line"
bare_line="$("${BENCH[@]}" load --url "$BARE_URL/bare" --seconds "$SECONDS_PER_RUN" --concurrency "$CONCURRENCY")"
echo "$bare_line"

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }
run_rps="$(field rps "$run_line")"; bare_rps="$(field rps "$bare_line")"
echo
printf '%-28s %10s %10s %10s\n' "" "req/s" "p50 ms" "p99 ms"
printf '%-28s %10s %10s %10s\n' "simulator POST /run (signed)" "$run_rps" "$(field p50_ms "$run_line")" "$(field p99_ms "$run_line")"
printf '%-28s %10s %10s %10s\n' "bare Kestrel POST /bare" "$bare_rps" "$(field p50_ms "$bare_line")" "$(field p99_ms "$bare_line")"
awk -v a="$run_rps" -v b="$bare_rps" 'BEGIN { printf "ratio simulator/bare: %.2f\n", a / b }'

kill -TERM "$server"
wait "$server" || true
grep '^STATS' "$log" || echo "(server printed no STATS)"
