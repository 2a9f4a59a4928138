#!/bin/sh
# `npm test` as a user runs it: a clone of HEAD in a folder with no ../shared beside it, so every
# test's fallback path runs. Given the TAP log of a run with ../shared, it also checks that the
# same number of tests ran: missing footage may only turn tests into skips.
# Usage: sh test/no-shared.sh [with-shared.log]
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d)
chmod 755 "$T"   # as a checkout usually is: the bad-input suite runs one case as user nobody
trap 'rm -rf "$T"' EXIT INT TERM
git clone -q "$ROOT" "$T/repo"
cd "$T/repo"
[ ! -e ../shared ] || { echo "no-shared: $T/shared exists" >&2; exit 1; }
npm ci --no-audit --no-fund >/dev/null
npm test 2>&1 | tee "$T/test.log" | grep -E '^(not ok|# (tests|pass|fail|skipped))' || true
if ! grep -q '^# fail 0$' "$T/test.log"; then
  grep -A 40 -E '^ *not ok' "$T/test.log" | head -n 300 >&2   # the failures' details: $T goes with the exit
  echo "no-shared: npm test failed without ../shared" >&2; exit 1
fi
if [ $# -ge 1 ]; then
  want=$(grep -E '^# tests [0-9]+$' "$1" | tail -n 1)
  got=$(grep -E '^# tests [0-9]+$' "$T/test.log" | tail -n 1)
  [ "$want" = "$got" ] || { echo "no-shared: '$got' without ../shared, '$want' with it" >&2; exit 1; }
fi
echo "no-shared: npm test passed without ../shared ($(grep -E '^# skipped' "$T/test.log"))"
