#!/usr/bin/env bash
# The test command: set-up, lint, then every test (unit and integration, on a real engine and registry
# that the test session starts itself). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check .
set +e
.venv/bin/python -m pytest "$@"
status=$?
set -e
# pytest exits 5 when it collected no test: that is a failure of the suite, not a pass.
if [ "$status" -eq 5 ]; then
  echo "test.sh: pytest collected no tests" >&2
  exit 1
fi
[ "$status" -eq 0 ] || exit "$status"

# The package as a user installs it: wheel and sdist built without a warning, the sdist's tests collect, the wheel
# in a fresh venv runs one real %docker images against a sandbox engine.
bash scripts/check_package.sh
