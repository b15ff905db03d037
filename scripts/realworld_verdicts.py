#!/usr/bin/env python3
"""Compare `stix-mtac validate --open` with stix2-validator's verdicts on a real-world corpus.

Usage: python scripts/realworld_verdicts.py DIR

DIR holds the bundles and ``raw_results.jsonl`` (one JSON line per file: ``file`` relative to
DIR and ``default.verdict``, stix2-validator's own verdict without options). A file is
"valid" for stix-mtac when it was read and has no errors (warnings allowed); an unreadable
input or one that is not a bundle counts as "invalid", as stix2-validator fails it too.
Prints one line per file and exits 1 when any verdict differs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from stix_mtac.validate.api import ValidationOptions
from stix_mtac.validate.sources import validate_paths


def verdicts(directory: Path) -> list[tuple[str, str, str]]:
    """(file, stix2-validator's verdict, ours) for every file of the corpus."""
    rows = []
    options = ValidationOptions(open_bundle=True)
    for line in (directory / "raw_results.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        (report,) = validate_paths([str(directory / record["file"])], options)
        ours = "valid" if report.result is not None and report.result.is_valid else "invalid"
        rows.append((record["file"], record["default"]["verdict"], ours))
    return rows


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    rows = verdicts(Path(sys.argv[1]))
    differ = [row for row in rows if row[1] != row[2]]
    for file, theirs, ours in rows:
        mark = "  " if theirs == ours else "!!"
        print(f"{mark} {file}: stix2-validator {theirs}, stix-mtac --open {ours}")
    print(f"{len(rows) - len(differ)} of {len(rows)} verdicts agree")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
