#!/usr/bin/env bash
# Install Pharos with every extra into ./.venv (from scratch if needed) and run the whole test suite.
# Usage: tests/run.sh [pytest args...]      (this is the command README.md and .ci/run give)
set -euo pipefail
cd "$(dirname "$0")/.."

# System tools some tests use (compose validation, the console's headless-browser tests); those tests
# skip with a reason where these are missing.
missing=""
command -v docker-compose >/dev/null || missing="$missing docker-compose"
[ -x /usr/bin/chromium ] || missing="$missing chromium"
if [ -n "$missing" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null) \
    || echo "note: could not install$missing"
fi

python3 -m venv .venv
. .venv/bin/activate
python -m pip install -q --upgrade pip
python -m pip install -q -e '.[dev]'
python -m pytest "$@"
