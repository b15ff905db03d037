"""The library API a connector uses: ``from stix_mtac import build_report, validate_bundle,
sign_bundle, verify_bundle, publish_bundle``, called as a library (no CLI anywhere)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from test_publish_support import COLLECTION, PASSWORD, USER, taxii_server

import stix_mtac
from stix_mtac import build_report, publish_bundle, sign_bundle, validate_bundle, verify_bundle
from stix_mtac.canonical import canonical_bytes, pretty_bytes
from stix_mtac.errors import KeyFileError, SignatureError
from stix_mtac.signing import generate_keypair

REPO = Path(__file__).resolve().parent.parent
COMMITTED = REPO / "bundles" / "mtac-east-asia-2023-09-07.json"


@pytest.mark.network
def test_build_validate_sign_verify_publish_through_the_library(tmp_path: Path) -> None:
    bundle = build_report()
    # independent expectation: the committed bundle is the built-in report's export
    assert pretty_bytes(bundle) == COMMITTED.read_bytes()

    report = validate_bundle(bundle, disabled=["103", "302"], strict=True)
    assert report.is_valid and report.findings == () and report.object_count == 68

    keys = generate_keypair(tmp_path / "private", "connector", public_dir=tmp_path / "out" / "keys")
    signed = sign_bundle(bundle, tmp_path / "out" / "report.json", key=keys.private_key)
    assert signed.signature == tmp_path / "out" / "report.json.jws"
    assert signed.path.read_bytes() == COMMITTED.read_bytes()

    verified = verify_bundle(signed.path, keys.jwks)
    assert verified.kid == keys.kid and verified.bundle == bundle

    with taxii_server(tmp_path) as server:
        result = publish_bundle(
            signed.path,
            url=server.discovery,
            collection=COLLECTION,
            user=USER,
            password=PASSWORD,
            keyring=keys.jwks,
        )
        stored = server.objects()
    assert (result.succeeded, result.already_present, result.failed, result.pending) == (
        68,
        0,
        [],
        0,
    )
    assert sorted(map(canonical_bytes, stored)) == sorted(map(canonical_bytes, bundle["objects"]))


def test_an_altered_file_does_not_verify(tmp_path: Path) -> None:
    keys = generate_keypair(tmp_path / "private", "k", public_dir=tmp_path / "keys")
    signed = sign_bundle(build_report(), tmp_path / "b.json", key=keys.private_key)
    data = json.loads(signed.path.read_text(encoding="utf-8"))
    data["objects"][3]["name"] = "edited"
    signed.path.write_bytes(pretty_bytes(data))
    with pytest.raises(SignatureError) as caught:
        verify_bundle(signed.path, keys.jwks)
    assert caught.value.exit_code == 5 and "content changed since signing" in caught.value.message


def test_a_key_not_in_the_keyring_beside_writes_nothing(tmp_path: Path) -> None:
    generate_keypair(tmp_path / "private", "trusted", public_dir=tmp_path / "keys")
    stranger = generate_keypair(tmp_path / "elsewhere", "stranger")
    with pytest.raises(KeyFileError) as caught:
        sign_bundle(build_report(), tmp_path / "b.json", key=stranger.private_key)
    assert "is not in" in caught.value.message
    assert not (tmp_path / "b.json").exists()


def test_validate_reports_findings_of_a_file(tmp_path: Path) -> None:
    broken = json.loads(COMMITTED.read_text(encoding="utf-8"))
    del broken["objects"][1]  # the producer identity every object's created_by_ref names
    path = tmp_path / "broken.json"
    path.write_bytes(pretty_bytes(broken))
    report = validate_bundle(path)
    assert not report.is_valid
    assert {f.code for f in report.errors} == {"SX201"}
    assert report.source == str(path)


def test_importing_the_package_stays_cheap() -> None:
    code = (
        "import sys, stix_mtac; "
        "heavy = [m for m in ('stix2', 'stix2validator', 'requests', 'cryptography', 'click', "
        "'yaml', 'jsonschema_rs') if m in sys.modules]; print(heavy)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
    assert set(stix_mtac.__all__) >= {
        "build_report",
        "validate_bundle",
        "sign_bundle",
        "verify_bundle",
        "publish_bundle",
    }
