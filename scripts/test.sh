#!/usr/bin/env bash
# Install everything the test suite needs on a fresh machine, then run the whole suite.
# Chromium (Debian package) is needed by the graph page's browser test; openssl by the
# signature recipe test. Both are installed only when missing. The test tools are pinned by
# constraints/dev.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
if ((${#need_apt[@]})); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
  else
    echo "scripts/test.sh: please install: ${need_apt[*]}" >&2
    exit 1
  fi
fi

python3 -m pip install -q -c constraints/dev.txt -e '.[test]'
python3 -m pytest -n 2 "$@"
