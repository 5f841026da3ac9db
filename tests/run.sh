#!/usr/bin/env bash
# Install Pharos with every extra into ./.venv (from scratch if needed) and run the whole test suite.
# Usage: tests/run.sh [pytest args...]      (this is the command README.md and .ci/run give)
set -euo pipefail
cd "$(dirname "$0")/.."

# System tools some tests use; they skip with a reason where these are missing.
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null && ! command -v docker-compose >/dev/null; then
  (apt-get update -qq && apt-get install -y -qq docker-compose >/dev/null) || echo "note: docker-compose not installed"
fi

python3 -m venv .venv
. .venv/bin/activate
python -m pip install -q --upgrade pip
python -m pip install -q -e '.[dev]'
python -m pytest "$@"
