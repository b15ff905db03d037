"""Real bundles of others get stix2-validator's verdict from ``stix-mtac validate --open``.

The bundles are vendored under ``tests/realworld/`` (with their licences); the verdicts of
stix2-validator 3.3.2 itself are in ``corpus/realworld_verdicts.json``. All 61 files of the
corpus, the two ATT&CK bundles included, are checked by ``scripts/realworld_verdicts.py``
against the full corpus (README).
"""

from __future__ import annotations

import json
from pathlib import Path

from stix_mtac.validate.api import ValidationOptions
from stix_mtac.validate.sources import validate_paths

HERE = Path(__file__).parent
REALWORLD = HERE / "realworld"
VERDICTS: dict[str, str] = json.loads(
    (HERE / "corpus" / "realworld_verdicts.json").read_text(encoding="utf-8")
)["verdicts"]


def test_vendored_real_bundles_get_stix2_validators_verdict() -> None:
    present = {name: verdict for name, verdict in VERDICTS.items() if (REALWORLD / name).is_file()}
    assert len(present) >= 59, "the real-world corpus is vendored under tests/realworld/"
    assert {"valid", "invalid"} <= set(present.values())
    options = ValidationOptions(open_bundle=True)
    differ = []
    for name, verdict in sorted(present.items()):
        (report,) = validate_paths([str(REALWORLD / name)], options)
        ours = "valid" if report.result is not None and report.result.is_valid else "invalid"
        if ours != verdict:
            differ.append((name, verdict, ours))
    assert not differ
