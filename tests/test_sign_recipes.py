"""The README's verify-without-stix-mtac recipes, taken from README.md and run as written.

They run in a directory laid out like the repository (``bundles/``, ``bundles/keys/``), holding
the built-in bundle signed with the fixed test key, so a recipe that rots fails here.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_sign_support import REPO, fixed_key, write_private_key

from stix_mtac.signing import sign_bundle_file
from stix_mtac.signing.keyring import add_key
from stix_mtac.signing.keys import public_jwk, public_pem

README = REPO / "README.md"
BUNDLE_NAME = "mtac-east-asia-2023-09-07.json"


def recipe(name: str) -> str:
    """The fenced code block right after ``<!-- recipe:NAME -->`` in the README."""
    text = README.read_text(encoding="utf-8")
    match = re.search(rf"<!-- recipe:{name} -->\n```\w+\n(.*?)\n```", text, re.DOTALL)
    assert match is not None, f"README has no recipe:{name} code block"
    return match.group(1) + "\n"


@pytest.fixture
def signed_repo(tmp_path: Path) -> Path:
    bundles = tmp_path / "bundles"
    bundles.mkdir()
    shutil.copyfile(REPO / "bundles" / BUNDLE_NAME, bundles / BUNDLE_NAME)
    key = fixed_key()
    add_key(bundles / "keys" / "jwks.json", public_jwk(key.public_key()))
    (bundles / "keys" / "release.public.pem").write_bytes(public_pem(key.public_key()))
    private = write_private_key(tmp_path / "test.private.pem")
    sign_bundle_file(bundles / BUNDLE_NAME, private)
    private.unlink()
    return tmp_path


def run_python(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", recipe("python")],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,  # a hang guard, with headroom for a loaded machine
    )


def run_openssl(cwd: Path) -> subprocess.CompletedProcess[str]:
    python_dir = str(Path(sys.executable).parent)
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", recipe("openssl")],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,  # a hang guard, with headroom for a loaded machine
        # the recipe calls python3: make it the one with rfc8785 installed
        env={"PATH": f"{python_dir}:/usr/local/bin:/usr/bin:/bin", "LC_ALL": "C.UTF-8"},
    )


def tamper(root: Path) -> None:
    bundle = root / "bundles" / BUNDLE_NAME
    text = bundle.read_text(encoding="utf-8")
    assert '"confidence": 90' in text
    bundle.write_text(text.replace('"confidence": 90', '"confidence": 91', 1), encoding="utf-8")


def test_python_recipe_verifies_our_signature(signed_repo: Path) -> None:
    result = run_python(signed_repo)
    assert result.returncode == 0, result.stderr
    kid = public_jwk(fixed_key().public_key())["kid"]
    assert result.stdout == f"verified, key {kid}\n"


def test_python_recipe_rejects_a_changed_value(signed_repo: Path) -> None:
    tamper(signed_repo)
    result = run_python(signed_repo)
    assert result.returncode != 0
    assert "InvalidSignature" in result.stderr


def test_python_recipe_rejects_duplicate_keys(signed_repo: Path) -> None:
    bundle = signed_repo / "bundles" / BUNDLE_NAME
    text = bundle.read_text(encoding="utf-8")
    bundle.write_text(text.replace('"type": "bundle"', '"type": "bundle", "id": "x"'))
    result = run_python(signed_repo)
    assert result.returncode != 0
    assert "duplicate JSON key" in result.stderr


def test_python_recipe_verifies_a_reserialised_copy(signed_repo: Path) -> None:
    import json

    bundle = signed_repo / "bundles" / BUNDLE_NAME
    data = json.loads(bundle.read_bytes())
    bundle.write_text(json.dumps(data, ensure_ascii=True, indent=7), encoding="ascii")
    assert run_python(signed_repo).returncode == 0


def test_openssl_recipe_verifies_our_signature(signed_repo: Path) -> None:
    result = run_openssl(signed_repo)
    assert result.returncode == 0, result.stderr
    assert "Signature Verified Successfully" in result.stdout
    assert '"alg":"EdDSA","b64":false,"crit":["b64"]' in result.stdout


def test_openssl_recipe_rejects_a_changed_value(signed_repo: Path) -> None:
    tamper(signed_repo)
    result = run_openssl(signed_repo)
    assert result.returncode != 0
    assert "Signature Verification Failure" in result.stdout + result.stderr
