"""``stix-mtac pull`` and ``stix-mtac verify --taxii`` against a real medallion, over HTTPS
(a test CA made in the test) and HTTP; ``publish`` given the discovery URL."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from test_publish_support import (
    COLLECTION,
    PASSWORD,
    USER,
    generated_bundle,
    sid,
    taxii_server,
    write_signed,
)
from tls_support import make_tls_files

from stix_mtac.canonical import canonical_bytes
from stix_mtac.cli import cli

pytestmark = pytest.mark.network

REPO = Path(__file__).resolve().parent.parent
BUILTIN = "mtac-east-asia-2023-09-07.json"
LOGIN = ["--user", USER, "--password", PASSWORD]


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def trusting(bundle: Path) -> list[str]:
    """The keyring of the test's layout, named (verify and publish never find one by itself)."""
    return ["--keyring", str(bundle.parent / "keys" / "jwks.json")]


def by_version(objects: list[dict[str, Any]]) -> dict[tuple[str, str], bytes]:
    return {(o["id"], o.get("modified", o["created"])): canonical_bytes(o) for o in objects}


def error_lines(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("error:")]


def committed_bundle(tmp_path: Path) -> Path:
    """A copy of the committed, release-signed bundle with its signature, manifest and keyring."""
    target = tmp_path / "bundles"
    shutil.copytree(REPO / "bundles", target)
    return target / BUILTIN


def test_https_publish_pull_verify_round_trip_of_the_builtin_bundle(tmp_path: Path) -> None:
    bundle_path = committed_bundle(tmp_path)
    expected = json.loads((REPO / "bundles" / BUILTIN).read_text(encoding="utf-8"))["objects"]
    tls = make_tls_files(tmp_path / "tls")
    with taxii_server(tmp_path, tls=tls) as server:
        assert server.discovery.startswith("https://")
        reach = ["--collection", COLLECTION, *LOGIN, "--ca-bundle", str(tls.ca)]
        # publish, pull and verify are all given the discovery URL, not the API root
        published = run(
            "publish", str(bundle_path), *trusting(bundle_path), "--url", server.discovery, *reach
        )
        pulled = run("pull", server.discovery, *reach, "-o", str(tmp_path / "pulled.json"))
        checked = run(
            "verify", str(bundle_path), *trusting(bundle_path), "--taxii", server.discovery, *reach
        )
    assert published.exit_code == 0, published.output
    assert f"{len(expected)} added, 0 already present, 0 failed" in published.stdout
    assert pulled.exit_code == 0, pulled.output
    assert f"pulled {len(expected)} objects in 1 page from {server.api_root}" in pulled.stdout
    copy = json.loads((tmp_path / "pulled.json").read_text(encoding="utf-8"))
    assert copy["type"] == "bundle" and copy["id"].startswith("bundle--")
    assert by_version(copy["objects"]) == by_version(expected)
    assert checked.exit_code == 0, checked.output
    assert checked.stdout.startswith(f"verified: {bundle_path} (key ")


def test_https_needs_the_ca_bundle(tmp_path: Path) -> None:
    tls = make_tls_files(tmp_path / "tls")
    other = make_tls_files(tmp_path / "other", common_name="some other CA")
    with taxii_server(tmp_path, tls=tls) as server:
        untrusted = run("pull", server.discovery, "--collection", COLLECTION, *LOGIN, "-o", "-")
        wrong_ca = run(
            "pull", server.api_root, "--collection", COLLECTION, *LOGIN,
            "--ca-bundle", str(other.ca), "-o", "-",
        )  # fmt: skip
    for result in (untrusted, wrong_ca):
        assert result.exit_code == 7, result.output
        assert len(error_lines(result)) == 1
        assert "TLS verification failed" in result.stderr and "--ca-bundle" in result.stderr
        assert "Traceback" not in result.output


def test_an_object_altered_on_the_server_is_named_in_one_line(tmp_path: Path) -> None:
    bundle_path = committed_bundle(tmp_path)
    objects = json.loads(bundle_path.read_text(encoding="utf-8"))["objects"]
    victim = next(o for o in objects if o["type"] == "campaign")
    tls = make_tls_files(tmp_path / "tls")
    with taxii_server(tmp_path, tls=tls) as server:
        # Someone stored other content under the campaign's id and version first; the
        # server keeps theirs, so a TIP reading the collection gets the altered campaign.
        server.post([{**victim, "name": "Altered on the server"}])
        reach = ["--collection", COLLECTION, *LOGIN, "--ca-bundle", str(tls.ca)]
        published = run(
            "publish", str(bundle_path), *trusting(bundle_path), "--url", server.api_root, *reach
        )
        checked = run(
            "verify", str(bundle_path), *trusting(bundle_path), "--taxii", server.api_root, *reach
        )
    assert published.exit_code == 9, published.output
    assert checked.exit_code == 5, checked.output
    assert error_lines(checked) == [
        f"error: {bundle_path}: altered: {victim['id']} ({victim['modified']}): "
        "served with other name",
        f"error: {bundle_path}: {server.api_root}collections/{COLLECTION}/ does not serve the "
        "signed objects as signed (0 missing, 1 altered, 0 extra)",
    ]
    assert "verified:" not in checked.stdout


def test_missing_and_extra_versions_are_named(tmp_path: Path) -> None:
    bundle = generated_bundle(12)
    path = write_signed(tmp_path, bundle)
    objects = bundle["objects"]
    newer = {**objects[3], "modified": "2024-01-01T00:00:00.000Z", "name": "unsigned edit"}
    with taxii_server(tmp_path) as server:
        server.post([*objects[:-1], newer])  # the last object never arrives
        checked = run(
            "verify",
            str(path),
            *trusting(path),
            "--taxii",
            server.discovery,
            "--collection",
            COLLECTION,
            *LOGIN,
        )
    assert checked.exit_code == 5, checked.output
    last = objects[-1]
    assert error_lines(checked)[:2] == [
        f"error: {path}: missing: {last['id']} ({last['modified']})",
        f"error: {path}: extra: {newer['id']} (2024-01-01T00:00:00.000Z): "
        "a version that was not signed",
    ]
    assert "(1 missing, 0 altered, 1 extra)" in error_lines(checked)[2]


def test_pull_pages_and_added_after_pulls_only_what_is_new(tmp_path: Path) -> None:
    first_batch = generated_bundle(25)["objects"]
    second_batch = [
        {**first_batch[2], "id": sid("attack-pattern", f"new-{n}"), "name": f"New {n}"}
        for n in range(6)
    ]
    with taxii_server(tmp_path) as server:
        server.post(first_batch)
        everything = run(
            "pull", server.api_root, "--collection", COLLECTION, *LOGIN,
            "--page-size", "10", "-o", str(tmp_path / "all.json"),
        )  # fmt: skip
        assert "newest added " in everything.stdout, everything.output
        newest = everything.stdout.split("newest added ")[1].split(" ->")[0]
        server.post(second_batch)
        since = run(
            "pull", server.api_root, "--collection", COLLECTION, *LOGIN,
            "--added-after", newest, "-o", "-",
        )  # fmt: skip
    assert everything.exit_code == 0, everything.output
    assert "pulled 25 objects in 3 pages" in everything.stdout
    pulled = json.loads((tmp_path / "all.json").read_text(encoding="utf-8"))["objects"]
    assert by_version(pulled) == by_version(first_batch)
    assert since.exit_code == 0, since.output
    assert by_version(json.loads(since.stdout)["objects"]) == by_version(second_batch)


def test_pull_of_an_empty_collection_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "feed.json"
    with taxii_server(tmp_path) as server:
        result = run("pull", server.api_root, "--collection", COLLECTION, *LOGIN, "-o", str(target))
    assert result.exit_code == 0, result.output
    assert "pulled 0 objects" in result.stderr and "nothing written" in result.stderr
    assert not target.exists()


def test_pull_refuses_an_output_in_a_missing_directory(tmp_path: Path) -> None:
    with taxii_server(tmp_path) as server:
        server.post(generated_bundle(4)["objects"])
        result = run(
            "pull", server.api_root, "--collection", COLLECTION, *LOGIN,
            "-o", str(tmp_path / "no" / "such" / "feed.json"),
        )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert not (tmp_path / "no").exists()


def test_pull_of_an_unknown_collection_exits_7(tmp_path: Path) -> None:
    with taxii_server(tmp_path) as server:
        result = run(
            "pull", server.discovery, "--collection", "00000000-0000-4000-8000-000000000000",
            *LOGIN, "-o", "-",
        )  # fmt: skip
    assert result.exit_code == 7, result.output
    assert len(error_lines(result)) == 1 and "HTTP 404" in result.stderr
