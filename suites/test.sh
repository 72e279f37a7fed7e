#!/usr/bin/env bash
# Runs every test of the project on a fresh machine that has only the .NET SDK, Node and npm.
# Installs what is missing (Debian's chromium for the browser tests, the Node fixture agents' packages, Debian's
# Flask/FastAPI/uvicorn and the npm packages of the corpus agents),
# builds once, runs each test project in turn, writes a coverage report to reports/coverage/, and ends with
#   tests: N passed, N failed[, N skipped]
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

step() { printf '\n== %s\n' "$*"; }

step "prerequisites"
if [ ! -x /usr/bin/chromium ]; then
  echo "installing Debian's chromium for the Playwright tests (Playwright's own browser download cannot work here)"
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null \
    || { echo "error: could not install chromium with apt-get; install it (apt-get install chromium) and rerun"; exit 2; }
fi
/usr/bin/chromium --version
(cd fixtures/agents/node && npm ci --no-audit --no-fund --loglevel=error) || { echo "error: npm ci failed in fixtures/agents/node"; exit 2; }
command -v python3 >/dev/null || { echo "error: python3 is needed for the Python fixture agent"; exit 2; }
# The corpus agents (fixtures/agents/corpus): Flask and FastAPI come from Debian (PyPI is not reachable here) and run on
# Debian's /usr/bin/python3; Fastify and Hono from npm, pinned by each folder's package-lock.json.
if ! /usr/bin/python3 -c "import flask, fastapi, uvicorn" 2>/dev/null; then
  echo "installing Debian's python3-flask, python3-fastapi and python3-uvicorn for the corpus agents"
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq \
      python3-flask=2.2.2-3 python3-fastapi=0.92.0-1 python3-uvicorn=0.17.6-1 >/dev/null \
    || { echo "error: could not install python3-flask/fastapi/uvicorn with apt-get; install them and rerun"; exit 2; }
fi
for corpus in fixtures/agents/corpus/*/package-lock.json; do
  dir="$(dirname "$corpus")"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) || { echo "error: npm ci failed in $dir"; exit 2; }
done
dotnet tool restore >/dev/null || { echo "error: dotnet tool restore failed (ReportGenerator)"; exit 2; }

step "build"
if ! dotnet build DukaanConformance.sln -c Debug --nologo -v q -clp:ErrorsOnly; then
  echo "tests: 0 passed, 1 failed (the build failed)"
  exit 1
fi
# The bundled reference agent is started as a process by the end-to-end tests; build it where certify expects it.
dotnet build fixtures/agents/csharp/ReferenceAgent.csproj -c Release -o fixtures/agents/csharp/bin/harness --nologo -v q -clp:ErrorsOnly || exit 1
# The C# AgentDoor sender fixture, started the same way by the agentdoor-sender tests.
dotnet build fixtures/senders/agentdoor/csharp/AgentDoorSender.csproj -c Release -o fixtures/senders/agentdoor/csharp/bin/harness --nologo -v q -clp:ErrorsOnly || exit 1

results="$root/reports/test-results"
rm -rf "$results" "$root/reports/coverage"
mkdir -p "$results"
passed=0; failed=0; skipped=0
# shellcheck source=suites/tally.sh
. "$root/suites/tally.sh"
run_tests() { # project log [name filter]: one test project (or the tests the filter picks), its output to the log; dotnet test's exit code
  local name="${3:-$(basename "$1" .csproj)}"
  dotnet test "$1" --no-build --nologo ${4:+--filter "$4"} \
    --logger "console;verbosity=minimal" \
    --logger "junit;LogFilePath=$results/$name.junit.xml" \
    --collect:"XPlat Code Coverage" --results-directory "$results/$name" >"$2" 2>&1
}
count() { # name log exit discovered: adds the project's run to the totals (suites/tally.sh says when a run counts as failed)
  local p f s
  read -r p f s < <(tally "$@")
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
}
# The end-to-end project spends most of its time waiting on real agent processes and windows, so it runs beside the
# others instead of after them (about four minutes less on two cores); its output is printed when it ends.
e2e=suites/Dukaan.Conformance.Tests/Dukaan.Conformance.Tests.csproj
# The fleet test runs its own certifications two at a time; it joins the other projects' queue (after them, below)
# rather than the end-to-end project's, whose wall time is the suite's.
# It runs from a copy of the project's output: the coverage collector rewrites the assemblies in an output folder while
# its run lasts, and a second run in the same folder reads (and restores) them under the first one's feet.
fleet_filter="FullyQualifiedName~Dukaan.Conformance.Tests.FleetTests"
e2e_filter="FullyQualifiedName!~Dukaan.Conformance.Tests.FleetTests"
fleet_bin="$results/fleet-bin"
cp -r suites/Dukaan.Conformance.Tests/bin/Debug/net10.0 "$fleet_bin"
e2e_discovered="$(discovered "$fleet_bin/Dukaan.Conformance.Tests.dll" "$e2e_filter")"
fleet_discovered="$(discovered "$fleet_bin/Dukaan.Conformance.Tests.dll" "$fleet_filter")"
run_tests "$e2e" "$results/Dukaan.Conformance.Tests.log" "" "$e2e_filter" &
e2e_pid=$!
for project in suites/*/*.csproj; do
  [ "$project" = "$e2e" ] && continue
  name="$(basename "$project" .csproj)"
  step "test $name"
  found="$(discovered "$project")"
  run_tests "$project" "$results/$name.log"; code=$?
  cat "$results/$name.log"
  count "$name" "$results/$name.log" "$code" "$found"
done
step "test Dukaan.Conformance.Tests: the fleet"
run_tests "$fleet_bin/Dukaan.Conformance.Tests.dll" "$results/Dukaan.Conformance.Fleet.log" Dukaan.Conformance.Fleet "$fleet_filter"; code=$?
cat "$results/Dukaan.Conformance.Fleet.log"
count Dukaan.Conformance.Fleet "$results/Dukaan.Conformance.Fleet.log" "$code" "$fleet_discovered"
step "test Dukaan.Conformance.Tests (ran alongside)"
wait "$e2e_pid"; code=$?
cat "$results/Dukaan.Conformance.Tests.log"
count Dukaan.Conformance.Tests "$results/Dukaan.Conformance.Tests.log" "$code" "$e2e_discovered"

step "coverage"
if dotnet reportgenerator -reports:"$results/**/coverage.cobertura.xml" -targetdir:reports/coverage \
     -reporttypes:"Html;TextSummary" -assemblyfilters:"+Dukaan.*;-*.Tests;-Dukaan.InProcess.Sample" >/dev/null 2>&1; then
  grep -E "Line coverage|Branch coverage" reports/coverage/Summary.txt | sed 's/^ */  /'
  echo "  HTML report: reports/coverage/index.html"
else
  echo "  (no coverage report: ReportGenerator failed)"
fi

summary="tests: $passed passed, $failed failed"
[ "$skipped" -gt 0 ] && summary="$summary, $skipped skipped"
echo
echo "$summary"
[ "$failed" -eq 0 ]
