# Sourced by suites/test.sh (and by the tests of it): how one test project's run counts towards the totals.
#
#   tally NAME LOG EXIT DISCOVERED
#
# prints "PASSED FAILED SKIPPED" for the project and, on stderr, why the run counts as failed when it does. A run that
# says "Passed!" is not trusted on that line alone: a test host that crashed (or a run that was aborted) prints the
# tests it finished as passed and stops. So the project counts as failed when dotnet test exited non-zero, when the
# log says the run was aborted or the host crashed, or when fewer tests ran than were discovered; the tests that never
# ran are then counted as failed (at least one failure in every case).
tally() {
  local name="$1" log="$2" exit_code="$3" discovered="$4"
  local line passed=0 failed=0 skipped=0 total=0 why=""
  line="$(grep -E '^[[:space:]]*(Passed|Failed)!' "$log" | tail -1)"
  if [ -n "$line" ]; then
    _tally_num() { echo "$line" | sed -nE "s/.*$1: *([0-9]+).*/\1/p"; }
    passed="$(_tally_num Passed)"; failed="$(_tally_num Failed)"; skipped="$(_tally_num Skipped)"; total="$(_tally_num Total)"
    passed="${passed:-0}"; failed="${failed:-0}"; skipped="${skipped:-0}"; total="${total:-$((passed + failed + skipped))}"
  else
    why="no test summary in its log"
  fi
  if grep -qE 'Test Run Aborted|The active test run was aborted|Test host process crashed' "$log"; then
    why="${why:+$why; }the test run was aborted (the test host crashed or was killed)"
  fi
  if [[ "$discovered" =~ ^[0-9]+$ ]] && [ "$total" -lt "$discovered" ]; then
    why="${why:+$why; }$total of $discovered discovered tests ran"
    failed=$((failed + discovered - total))
  fi
  if [ "$exit_code" -ne 0 ] && [ "$failed" -eq 0 ]; then
    why="${why:+$why; }dotnet test exited with $exit_code"
  fi
  if [ -n "$why" ] && [ "$failed" -eq 0 ]; then failed=1; fi
  [ -n "$why" ] && echo "$name counted as failed: $why" >&2
  echo "$passed $failed $skipped"
}

# discovered PROJECT_OR_DLL [FILTER]: how many tests dotnet test would run (the count a finished run must reach).
discovered() {
  dotnet test "$1" --no-build --nologo --list-tests ${2:+--filter "$2"} 2>/dev/null | grep -c '^    '
}
