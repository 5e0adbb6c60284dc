#!/usr/bin/env bash
# The real-browser tests: builds cutover and the sites the tests open, then
# runs tests/browser/run.mjs in Debian's Chromium (/usr/bin/chromium, or
# $CHROMIUM). Needs node and npm, java (for the Nu HTML checker), chromium and
# pdftotext (poppler-utils: the print test reads each printed page's text).
# Screenshots go to target/browser-screenshots/ (or $SCREENSHOT_DIR).
# CUTOVER_BIN=path/to/cutover skips the release build and tests that binary.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
as_of=2026-11-26
started=$SECONDS

for tool in node npm java pdftotext "${CHROMIUM:-/usr/bin/chromium}"; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool is missing" >&2; exit 2; }
done

echo "--- npm ci (tests/browser)"
# --ignore-scripts: vnu-jar's install script would fetch a Java runtime; the machine's java is used.
(cd "$here" && npm ci --ignore-scripts --no-audit --no-fund)

if [ -n "${CUTOVER_BIN:-}" ]; then
  bin="$CUTOVER_BIN" # a cutover binary built already: skip the release build
else
  echo "--- cargo build --release"
  (cd "$repo" && cargo build --release --locked)
  bin="$repo/target/release/cutover"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "--- the sample site, as of $as_of, from a repository with a history of commits"
"$here/history-repo.sh" "$work/sample"
"$bin" build --as-of "$as_of" --out "$work/site" "$work/sample"

echo "--- hostile portfolios from tests/browser/xss-vectors.txt"
xss="$work/xss"
node "$here/gen-xss.mjs" "$xss"
# Both checks are expected to find errors: keep their reports, not their exit codes.
rc=0
"$bin" check --format json --as-of "$as_of" "$xss/refused" >"$xss/refused.json" || rc=$?
echo "$rc" >"$xss/refused.rc"
"$bin" check --format json --as-of "$as_of" "$xss/hostile" >"$xss/hostile-check.json" || true
node "$here/gen-xss.mjs" --set-aside "$xss" "$xss/hostile-check.json"
"$bin" build --as-of "$as_of" --out "$xss/site" "$xss/hostile" 2>"$xss/build.log" || {
  cat "$xss/build.log" >&2
  echo "run.sh: the hostile portfolio did not build" >&2
  exit 1
}
tail -n 2 "$xss/build.log"

echo "--- browser tests"
status=0
CUTOVER_SITE="$work/site" CUTOVER_CONTENT="$repo/content" CUTOVER_XSS="$xss" \
  SCREENSHOT_DIR="${SCREENSHOT_DIR:-$repo/target/browser-screenshots}" \
  node --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$work/tap.txt" "$here/run.mjs" || status=$?
passed="$(sed -n 's/^# pass //p' "$work/tap.txt")"
failed="$(sed -n 's/^# fail //p' "$work/tap.txt")"
echo "--- browser suite took $((SECONDS - started)) s"
echo "browser: ${passed:-0} passed, ${failed:-0} failed"
exit "$status"
