"""The OASIS TAXII 2.1 client library, taxii2-client, reads back what ``stix-mtac publish``
wrote: it finds the API root from the discovery document, the collection, and pages through
its objects as any consumer would."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from taxii2client.v21 import Server, as_pages
from test_publish_support import COLLECTION, PASSWORD, USER, taxii_server

from stix_mtac.canonical import canonical_bytes
from stix_mtac.cli import cli

pytestmark = pytest.mark.network

REPO = Path(__file__).resolve().parent.parent


def test_taxii2_client_reads_back_the_published_builtin_bundle(tmp_path: Path) -> None:
    shutil.copytree(REPO / "bundles", tmp_path / "bundles")
    path = tmp_path / "bundles" / "mtac-east-asia-2023-09-07.json"
    expected = json.loads(path.read_text(encoding="utf-8"))["objects"]
    with taxii_server(tmp_path) as server:
        published = CliRunner().invoke(
            cli,
            [
                *("publish", str(path), "--keyring", str(path.parent / "keys" / "jwks.json")),
                *("--url", server.discovery, "--collection", COLLECTION),
                *("--user", USER, "--password", PASSWORD),
            ],
        )
        taxii = Server(server.discovery, user=USER, password=PASSWORD)
        root = taxii.default
        assert root is not None
        collection = next(c for c in root.collections if c.id == COLLECTION)
        assert collection.can_read
        read: list[dict[str, object]] = []
        pages = 0
        for page in as_pages(collection.get_objects, per_request=25):
            pages += 1
            read.extend(page.get("objects", []))
    assert published.exit_code == 0, published.output
    assert pages == 3  # 73 objects, 25 a page
    assert sorted(map(canonical_bytes, read)) == sorted(map(canonical_bytes, expected))
