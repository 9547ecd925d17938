#!/usr/bin/env bash
#===- test.sh - set up, build and run every fa2 test ----------------------===#
# Ends with one line "N passed, N failed, N skipped" and exits non-zero on any
# failure. Tests that need a GPU are skipped (unsupported) on machines without
# one; on the device machine run scripts/device-check.sh instead.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${FA2_BUILD_DIR:-$root/build}
"$root/scripts/setup.sh" "$build" || { echo "0 passed, 1 failed"; exit 1; }

log=$(mktemp)
/usr/lib/llvm-22/bin/lit -sv --time-tests "$build/test" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
# lit's summary lines read "  Passed: 12 (80.00%)".
count() {
  local n
  n=$(sed -nE "s/^ *$1 *: *([0-9]+).*/\1/p" "$log" | tail -n 1)
  echo "${n:-0}"
}
passed=$(count Passed)
failed=$(( $(count Failed) + $(count Unresolved) + $(count 'Timed Out') ))
xfail=$(count 'Expectedly Failed')
xpass=$(count 'Unexpectedly Passed')
skipped=$(( $(count Unsupported) + $(count Excluded) + $(count Skipped) ))
failed=$(( failed + xpass ))
passed=$(( passed + xfail ))
rm -f "$log"
if (( status != 0 && failed == 0 )); then failed=1; fi
if (( passed == 0 && failed == 0 )); then echo "lit ran no test"; failed=1; fi
echo "$passed passed, $failed failed, $skipped skipped"
(( failed == 0 ))
