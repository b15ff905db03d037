"""Every test runs with its own empty configuration directory, so no test trusts (or writes
to) the keys of whoever runs the suite: trust comes only from what a test sets up."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated_configuration(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    config = tmp_path_factory.mktemp("config-home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    monkeypatch.delenv("STIX_MTAC_KEYRING", raising=False)
    return config
