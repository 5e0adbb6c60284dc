#!/usr/bin/env bash
# Makes DIR a git repository holding the sample portfolio with a history of
# commits at fixed dates, so that the site built from it shows readiness over
# time (trend, recent changes, burn-ups, decision histories):
#
#   tests/browser/history-repo.sh DIR
#
# 2026-09-01 the sample without payroll and expense-claims; 2026-10-01
# payroll added; 2026-11-20 expense-claims added. Hermetic: no user or
# system git configuration, fixed identities and dates.
set -euo pipefail
dir=$1
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
rm -rf "$dir"
mkdir -p "$dir"
cp -r "$repo/content" "$dir/content"
hold="$(mktemp -d)"
trap 'rm -rf "$hold"' EXIT
mv "$dir/content/workloads/payroll" "$dir/content/workloads/expense-claims" "$hold/"
g() { git -C "$dir" -c init.defaultBranch=main -c commit.gpgsign=false "$@"; }
as() { # as NAME DAY MESSAGE
    GIT_AUTHOR_NAME=$1 GIT_AUTHOR_EMAIL=$1@contoso.example GIT_AUTHOR_DATE="$2 09:00:00 +0000" \
        GIT_COMMITTER_NAME=$1 GIT_COMMITTER_EMAIL=$1@contoso.example GIT_COMMITTER_DATE="$2 09:00:00 +0000" \
        g commit -q -m "$3"
}
g init -q
g add -A
as marta 2026-09-01 "The portfolio"
mv "$hold/payroll" "$dir/content/workloads/"
g add -A
as li.wei 2026-10-01 "Payroll joins wave 3"
mv "$hold/expense-claims" "$dir/content/workloads/"
g add -A
as sam.okafor 2026-11-20 "Expense claims joins wave 2"
