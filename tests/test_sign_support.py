"""Shared helpers for the signing tests: a fixed test key, a small bundle, a signed layout.

The key is derived from a fixed seed, so its signatures are golden: Ed25519 is
deterministic. It is a test key only; it signs nothing outside the test suite.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

import stix2
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from stix_mtac.canonical import pretty_bytes

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
GOLDEN = TESTS / "test_sign_golden"
GOLDEN_BUNDLE = GOLDEN / "fixture.json"

WHEN = "2023-09-07T00:00:00.000Z"
PRODUCER = "identity--0b1c2d3e-0000-4000-8000-000000000001"
ACTOR = "threat-actor--0b1c2d3e-0000-4000-8000-000000000002"
CAMPAIGN = "campaign--0b1c2d3e-0000-4000-8000-000000000003"
RELATIONSHIP = "relationship--0b1c2d3e-0000-4000-8000-000000000004"
BUNDLE_ID = "bundle--0b1c2d3e-0000-4000-8000-000000000005"


def fixed_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(
        hashlib.sha256(b"stix-mtac signing tests: not a real key").digest()
    )


def write_private_key(path: Path, key: Ed25519PrivateKey | None = None) -> Path:
    pem = (key or fixed_key()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as stream:
        stream.write(pem)
    return path


def fixture_bundle() -> dict[str, Any]:
    """A small bundle built with stix2: ids and times fixed, a non-ASCII name, a float-free
    confidence, so canonical and pretty forms differ in escaping and whitespace only."""
    common: dict[str, Any] = {"created": WHEN, "modified": WHEN, "created_by_ref": PRODUCER}
    objects = [
        stix2.Identity(
            id=PRODUCER,
            created=WHEN,
            modified=WHEN,
            name="Test CERT",
            identity_class="organization",
        ),
        stix2.ThreatActor(
            id=ACTOR,
            name="Müddy Otter 泥獺",
            threat_actor_types=["nation-state"],
            confidence=70,
            description='Line one\nline two with "quotes" and a tab\tand \u2028 separator',
            **common,
        ),
        stix2.Campaign(id=CAMPAIGN, name="Otter campaign", **common),
        stix2.Relationship(
            id=RELATIONSHIP,
            relationship_type="attributed-to",
            source_ref=CAMPAIGN,
            target_ref=ACTOR,
            **common,
        ),
    ]
    bundle = stix2.Bundle(objects=objects, id=BUNDLE_ID)
    data: dict[str, Any] = json.loads(bundle.serialize())
    return data


def signed_layout(directory: Path) -> Path:
    """Copy the golden signed layout (bundle, .jws, manifest, keys/) into ``directory``;
    return the bundle's path there."""
    shutil.copytree(GOLDEN, directory, dirs_exist_ok=True)
    return directory / GOLDEN_BUNDLE.name


def write_bundle(path: Path, bundle: dict[str, Any]) -> Path:
    path.write_bytes(pretty_bytes(bundle))
    return path


def beside(path: Path) -> Path:
    """The keyring a layout publishes beside its bundles (``<dir>/keys/jwks.json``). verify
    never trusts it by itself; a test that means to trust it passes it explicitly."""
    directory = path if path.is_dir() else path.parent
    return directory / "keys" / "jwks.json"


def keyring_args(*args: str) -> list[str]:
    """``verify`` arguments trusting the keyring beside the last path, unless one is named."""
    if any(arg in ("--keyring", "--keys") for arg in args):
        return list(args)
    return ["--keyring", str(beside(Path(args[-1]))), *args]
