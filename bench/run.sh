#!/usr/bin/env bash
# Signed POST /run on the simulator (transcript on, every exchange also streamed to a JSON Lines file) vs. a bare
# Kestrel endpoint and a WireMock.Net stub of the same route: same machine, same client, same signed requests, loaded
# side by side in one run.
#
# Usage: bench/run.sh        ROUNDS=3 SECONDS_PER_RUN=5 CONCURRENCY=32 WARMUP=1 by default; TRANSCRIPT_FILE=0 keeps the
#                            transcript in memory only; WIREMOCK_MAX_LOG=N caps WireMock's request log (default: unbounded,
#                            WireMock.Net's own default).
#
# How it measures: the simulator and the bare endpoint share one process (LoadBench serve); WireMock.Net runs in its own
# (LoadBench wiremock), so its request log, unbounded by default, neither inflates the simulator's bytes per exchange nor
# burdens its GC. Its stub answers exactly what the simulator answered to one signed /run (status, Content-Type, body;
# checked before loading). One client process (LoadBench load) first loads each target for 3 s unmeasured (the JIT
# settles), then each in turn, ROUNDS times, each time with a WARMUP that is not counted, rotating the order every round
# (sim bare wiremock, then bare wiremock sim, then wiremock sim bare) so the noise of a shared 2-core machine falls on
# all three alike. Rates are requests over measured seconds summed over the rounds; p50/p99 over every request of the
# target; server CPU µs per request from the server process's /proc times over its measured windows. bench/README.md
# has the reasoning and the last measured figures.
#
# Targets: simulator/bare >= 0.6 and simulator/WireMock.Net >= 2.0; each is printed PASS or MISS, and a MISS exits 1.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS="${ROUNDS:-3}"
SECONDS_PER_RUN="${SECONDS_PER_RUN:-5}"
CONCURRENCY="${CONCURRENCY:-32}"
WARMUP="${WARMUP:-1}"
TRANSCRIPT_FILE="${TRANSCRIPT_FILE:-1}"

dotnet build bench/LoadBench -c Release -nologo -v quiet >/dev/null
BENCH=(dotnet bench/LoadBench/bin/Release/net10.0/LoadBench.dll)

work="$(mktemp -d)"
server="" wiremock=""
cleanup() {
  [ -n "$wiremock" ] && kill "$wiremock" 2>/dev/null || true
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

wait_ready() { # log pid what
  for _ in $(seq 1 300); do
    grep -q '^READY' "$1" && return 0
    kill -0 "$2" 2>/dev/null || { echo "$3 exited early:"; cat "$1"; exit 2; }
    sleep 0.1
  done
  echo "$3 did not become ready in 30 s:"; cat "$1"; exit 2
}
value() { sed -n "s/^$2=//p" "$1"; }

serve_args=(serve --port 0 --bare-port 0)
[ "$TRANSCRIPT_FILE" != 0 ] && serve_args+=(--transcript-file "$work/transcript.jsonl")
"${BENCH[@]}" "${serve_args[@]}" >"$work/serve.log" 2>&1 &
server=$!
wait_ready "$work/serve.log" "$server" "the simulator"
SIM_URL="$(value "$work/serve.log" SIM_URL)"; BARE_URL="$(value "$work/serve.log" BARE_URL)"
SUB="$(value "$work/serve.log" SUBSCRIPTION)"; SECRET="$(value "$work/serve.log" SECRET)"

wm_args=(wiremock --sim-url "$SIM_URL" --subscription "$SUB" --secret "$SECRET")
[ -n "${WIREMOCK_MAX_LOG:-}" ] && wm_args+=(--max-log "$WIREMOCK_MAX_LOG")
"${BENCH[@]}" "${wm_args[@]}" >"$work/wiremock.log" 2>&1 &
wiremock=$!
wait_ready "$work/wiremock.log" "$wiremock" "WireMock.Net"
WM_URL="$(value "$work/wiremock.log" WIREMOCK_URL)"
grep '^CHECK' "$work/wiremock.log"

echo "simulator $SIM_URL (transcript file: $(value "$work/serve.log" TRANSCRIPT_FILE)), bare $BARE_URL, WireMock.Net $WM_URL (request log: $(value "$work/wiremock.log" WIREMOCK_MAX_LOG))"
echo "$ROUNDS rounds x ${SECONDS_PER_RUN}s x $CONCURRENCY connections per target, ${WARMUP}s warm-up before each, order rotating; every request signed"

load_status=0
"${BENCH[@]}" load --rounds "$ROUNDS" --seconds "$SECONDS_PER_RUN" --concurrency "$CONCURRENCY" --warmup "$WARMUP" \
  --signed --secret "$SECRET" --subscription "$SUB" \
  --target "sim=$SIM_URL/api/subscriptions/$SUB/run" --target "bare=$BARE_URL/bare" --target "wiremock=$WM_URL/api/subscriptions/$SUB/run" \
  --cpu "sim=$server" --cpu "bare=$server" --cpu "wiremock=$wiremock" \
  | tee "$work/load.log" || load_status=$?

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }
line() { grep "^RESULT name=$1 " "$work/load.log"; }
sim="$(line sim)"; bare="$(line bare)"; wm="$(line wiremock)"
echo
printf '%-34s %10s %10s %10s %14s\n' "" "req/s" "p50 ms" "p99 ms" "server CPU µs"
row() { printf '%-34s %10s %10s %10s %14s\n' "$1" "$(field rps "$2")" "$(field p50_ms "$2")" "$(field p99_ms "$2")" "$(field server_cpu_us_per_req "$2")"; }
row "simulator POST /run (signed)" "$sim"
row "bare Kestrel POST /bare" "$bare"
row "WireMock.Net stub POST /run" "$wm"
verdicts="$(awk -v s="$(field rps "$sim")" -v b="$(field rps "$bare")" -v w="$(field rps "$wm")" 'BEGIN {
  rb = s / b; rw = s / w
  printf "ratio simulator/bare:         %.2f  (target >= 0.60) %s\n", rb, (rb >= 0.6 ? "PASS" : "MISS")
  printf "ratio simulator/WireMock.Net: %.2f  (target >= 2.00) %s\n", rw, (rw >= 2.0 ? "PASS" : "MISS")
}')"
echo "$verdicts"

kill -TERM "$wiremock"; wait "$wiremock" || true; wiremock=""
kill -TERM "$server"; wait "$server" || true; server=""
grep -E '^(STATS|FILE)' "$work/serve.log" || echo "(the simulator printed no STATS)"
grep '^WM_STATS' "$work/wiremock.log" || echo "(WireMock.Net printed no WM_STATS)"

if [ "$load_status" -ne 0 ]; then echo "FAIL: some requests failed or were not 2xx (see RESULT lines)"; exit 1; fi
if grep -q MISS <<<"$verdicts"; then echo "FAIL: a throughput target was missed"; exit 1; fi
echo "OK: both throughput targets met"
