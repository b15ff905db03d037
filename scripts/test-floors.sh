#!/usr/bin/env bash
# The lowest-versions job: a fresh virtualenv (no system packages) with every runtime
# dependency at the lowest version pyproject.toml allows (constraints/floors.txt) and the test
# tools at the versions CI pins (constraints/dev.txt), then the whole suite. CI runs it after
# ./scripts/test.sh (which installs the system packages the suite needs). Arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${STIX_MTAC_FLOORS_VENV:-$(mktemp -d)/floors}"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q -c constraints/floors.txt -c constraints/dev.txt -e '.[test]'
"$venv/bin/python" -m pip check
# Prove the floors were installed, not something newer the resolver preferred.
"$venv/bin/python" - <<'PY'
import sys
from importlib.metadata import version
wanted = {}
for line in open("constraints/floors.txt", encoding="utf-8"):
    line = line.split("#", 1)[0].strip()
    if line:
        name, _, pinned = line.partition("==")
        wanted[name] = pinned
wrong = {name: version(name) for name, pinned in wanted.items() if version(name) != pinned}
if wrong:
    sys.exit(f"test-floors: not at the floor: {wrong}")
print("test-floors: installed " + ", ".join(f"{n}=={v}" for n, v in wanted.items()))
PY
"$venv/bin/python" -m pytest -n 2 -p no:cacheprovider "$@"
