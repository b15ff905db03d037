"""Which keyring verification trusts: one the user chose, never one found beside a bundle.

Whoever can replace a bundle can replace a keyring lying next to it, so a keyring's place
proves nothing. Trust is pinned, in this order:

1. ``--keyring FILE`` on the command line;
2. ``$STIX_MTAC_KEYRING`` (the configuration entry);
3. the user's trust store, ``$XDG_CONFIG_HOME/stix-mtac/trusted-keys.json`` (default
   ``~/.config/stix-mtac/``), filled once with ``stix-mtac trust import`` after checking the
   fingerprints, as ``ssh`` keeps ``known_hosts`` and ``gpg --import`` keeps a keyring.

Without any of them nothing verifies. Importing never weakens trust: a key already in the
store keeps its status unless the import retires or revokes it; nothing is reactivated.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stix_mtac.errors import KeyFileError
from stix_mtac.signing.keyring import Keyring, KeyStatus, TrustedKey, load_keyring, write_keyring

KEYRING_ENV = "STIX_MTAC_KEYRING"
CONFIG_HOME_ENV = "XDG_CONFIG_HOME"
STORE_NAME = "trusted-keys.json"
PUBLISHED_KEYRING = Path("bundles") / "keys" / "jwks.json"
# Status only moves forward: active -> retired -> revoked.
_STATUS_ORDER = {KeyStatus.ACTIVE: 0, KeyStatus.RETIRED: 1, KeyStatus.REVOKED: 2}

NO_TRUST_HINT = (
    "no trusted keys: pass --keyring FILE, set $STIX_MTAC_KEYRING, or import the publisher's "
    f"keyring once with `stix-mtac trust import {PUBLISHED_KEYRING}` after checking its "
    "fingerprints (a keyring beside a bundle is never trusted by itself)"
)


def config_directory() -> Path:
    base = os.environ.get(CONFIG_HOME_ENV, "").strip()
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".config"
    return root / "stix-mtac"


def trust_store_path() -> Path:
    return config_directory() / STORE_NAME


@dataclass(frozen=True)
class TrustSource:
    path: Path
    origin: str  # how it was chosen, for messages


def trusted_keyring_source(explicit: Path | None = None) -> TrustSource:
    """The keyring to trust, by the rule in the module docstring; KeyFileError if none."""
    if explicit is not None:
        return TrustSource(explicit, "--keyring")
    configured = os.environ.get(KEYRING_ENV, "").strip()
    if configured:
        return TrustSource(Path(configured), f"${KEYRING_ENV}")
    store = trust_store_path()
    if os.path.lexists(store):
        return TrustSource(store, "the trust store")
    raise KeyFileError(NO_TRUST_HINT)


def load_trusted_keyring(explicit: Path | None = None) -> Keyring:
    return load_keyring(trusted_keyring_source(explicit).path)


@dataclass(frozen=True)
class KeyChange:
    key: TrustedKey
    before: KeyStatus | None  # None: new to the store
    after: KeyStatus

    @property
    def changes(self) -> bool:
        return self.before != self.after


@dataclass(frozen=True)
class ImportPlan:
    store: Path
    source: Path
    changes: tuple[KeyChange, ...]
    kept: tuple[TrustedKey, ...]  # store keys the import does not mention


def _load_store(store: Path) -> tuple[TrustedKey, ...]:
    return load_keyring(store).keys if os.path.lexists(store) else ()


def plan_import(source: Path, store: Path | None = None) -> ImportPlan:
    """What importing ``source`` would change; every key is checked (weak keys refused)."""
    store = store or trust_store_path()
    incoming = load_keyring(source).keys
    current = {key.kid: key for key in _load_store(store)}
    changes = []
    for key in incoming:
        held = current.get(key.kid)
        if held is None:
            changes.append(KeyChange(key, None, key.status))
            continue
        later = max(held.status, key.status, key=_STATUS_ORDER.__getitem__)
        changes.append(KeyChange(held, held.status, later))
    mentioned = {key.kid for key in incoming}
    kept = tuple(key for kid, key in current.items() if kid not in mentioned)
    return ImportPlan(store, source, tuple(changes), kept)


def apply_import(plan: ImportPlan) -> None:
    entries = [dict(key.jwk) for key in plan.kept]
    entries += [{**change.key.jwk, "status": change.after.value} for change in plan.changes]
    _write_store(plan.store, entries)


def remove_key(kid: str, store: Path | None = None) -> TrustedKey:
    """Remove ``kid`` from the trust store; KeyFileError if it is not there."""
    store = store or trust_store_path()
    keys = _load_store(store)
    found = next((key for key in keys if key.kid == kid), None)
    if found is None:
        raise KeyFileError(f"{store}: no key with kid {kid!r} in the trust store")
    _write_store(store, [dict(key.jwk) for key in keys if key.kid != kid])
    return found


def _write_store(store: Path, entries: list[dict[str, Any]]) -> None:
    try:  # the trust store's directory is the user's alone
        store.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise KeyFileError(f"{store.parent}: cannot create: {exc.strerror}") from None
    write_keyring(store, entries)
