"""A real medallion TAXII 2.1 server (memory backend) on 127.0.0.1 for the publish tests,
and generated bundles to send to it.

The server runs in a subprocess that binds port 0 itself and prints the port, so parallel
test workers never race for a port. Each test gets its own server and its own data.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from tls_support import TlsFiles

from stix_mtac.canonical import pretty_bytes
from stix_mtac.signing import generate_keypair, sign_bundle_file

USER = "publisher"
PASSWORD = "s3cret-Taxii-pw-7781"
READER = "reader"
READER_PASSWORD = "reader-pw-5520"
API_ROOT = "api1"
COLLECTION = "365fed99-08fa-fdcd-a1b3-fb247eb41d01"
READ_ONLY_COLLECTION = "91a7b528-80eb-42ed-a74d-c6fbd5a26116"
TAXII_ACCEPT = "application/taxii+json;version=2.1"
WHEN = "2023-09-07T00:00:00.000Z"
NAMESPACE = uuid.UUID("6f1d2a3c-8b1e-4c55-9d0e-7a9f00c0ffee")
# A guard against a server that never comes up, with headroom for a fully loaded machine.
READY_TIMEOUT = 180.0

# Builds the real medallion Flask app exactly as medallion's own run script does, but lets
# werkzeug pick the port so the parent learns it from stdout. The port is known only once the
# socket is bound, so the discovery document's API root URLs get it then, before the backend
# reads its data. With a certificate and key (argv 2 and 3) it serves HTTPS.
_LAUNCHER = """
import json, sys
from werkzeug.serving import make_server
from medallion import application_instance, register_blueprints, set_config
with open(sys.argv[1]) as f:
    configuration = json.load(f)
tls = (sys.argv[2], sys.argv[3]) if len(sys.argv) > 3 else None
server = make_server("127.0.0.1", 0, application_instance, threaded=True, ssl_context=tls)
data_file = configuration["backend"]["filename"]
with open(data_file) as f:
    text = f.read()
base = ("https" if tls else "http") + "://127.0.0.1:" + str(server.server_port) + "/"
with open(data_file, "w") as f:
    f.write(text.replace("http://127.0.0.1/", base))
for name in ("users", "taxii", "backend"):
    set_config(application_instance, name, configuration)
register_blueprints(application_instance)
print(server.server_port, flush=True)
server.serve_forever()
"""


def server_data(max_content_length: int) -> dict[str, Any]:
    def collection(cid: str, title: str, can_write: bool) -> dict[str, Any]:
        return {
            "id": cid,
            "title": title,
            "can_read": True,
            "can_write": can_write,
            "media_types": ["application/stix+json;version=2.1"],
            "objects": [],
            "manifest": [],
        }

    return {
        "/discovery": {
            "title": "stix-mtac test server",
            "default": f"http://127.0.0.1/{API_ROOT}/",
            "api_roots": [f"http://127.0.0.1/{API_ROOT}/"],
        },
        API_ROOT: {
            "information": {
                "title": "test API root",
                "versions": [TAXII_ACCEPT],
                "max_content_length": max_content_length,
            },
            "status": [],
            "collections": [
                collection(COLLECTION, "writable", True),
                collection(READ_ONLY_COLLECTION, "read only", False),
            ],
        },
    }


@dataclass(frozen=True)
class TaxiiServer:
    base: str
    process: subprocess.Popen[str]
    # what requests should trust: True, or the test CA's PEM file for an HTTPS server
    verify: bool | str = True

    @property
    def discovery(self) -> str:
        return f"{self.base}/taxii2/"

    @property
    def api_root(self) -> str:
        return f"{self.base}/{API_ROOT}/"

    def objects(self, collection: str = COLLECTION) -> list[dict[str, Any]]:
        """Every stored version, read directly with requests (independent of our client)."""
        found: list[dict[str, Any]] = []
        params = {"match[version]": "all", "limit": "1000"}
        url = f"{self.api_root}collections/{collection}/objects/"
        while True:
            reply = requests.get(
                url,
                params=params,
                auth=(USER, PASSWORD),
                headers={"Accept": TAXII_ACCEPT},
                verify=self.verify,
            )
            reply.raise_for_status()
            data = reply.json()
            found.extend(data.get("objects", []))
            if not data.get("more"):
                return found
            params = {**params, "next": data["next"]}

    def post(self, objects: list[dict[str, Any]]) -> dict[str, Any]:
        reply = requests.post(
            f"{self.api_root}collections/{COLLECTION}/objects/",
            data=json.dumps({"objects": objects}),
            auth=(USER, PASSWORD),
            headers={"Accept": TAXII_ACCEPT, "Content-Type": TAXII_ACCEPT},
            verify=self.verify,
        )
        reply.raise_for_status()
        result: dict[str, Any] = reply.json()
        return result


@contextmanager
def taxii_server(
    tmp_path: Path,
    *,
    max_content_length: int = 10 * 1024 * 1024,
    session_timeout: int = 30,
    extra_users: dict[str, str] | None = None,
    tls: TlsFiles | None = None,
) -> Iterator[TaxiiServer]:
    """A fresh medallion; over HTTPS with ``tls`` (a certificate issued by a test CA)."""
    data_file = tmp_path / "medallion-data.json"
    data_file.write_text(json.dumps(server_data(max_content_length)))
    config = {
        "backend": {
            "module": "medallion.backends.memory_backend",
            "module_class": "MemoryBackend",
            "filename": str(data_file),
            "session_timeout": session_timeout,
            "check_interval": 1,
        },
        "users": {USER: PASSWORD, READER: READER_PASSWORD, **(extra_users or {})},
        "taxii": {"max_page_size": 1000},
    }
    config_file = tmp_path / "medallion-config.json"
    config_file.write_text(json.dumps(config))
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            _LAUNCHER,
            str(config_file),
            *((str(tls.certificate), str(tls.key)) if tls else ()),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # the port, or "" if the launcher died
        assert line.strip().isdigit(), f"medallion did not start (exit {process.poll()})"
        scheme = "https" if tls else "http"
        server = TaxiiServer(
            f"{scheme}://127.0.0.1:{int(line)}", process, str(tls.ca) if tls else True
        )
        _wait_ready(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_ready(server: TaxiiServer) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while True:
        try:
            reply = requests.get(
                f"{server.base}/taxii2/",
                auth=(USER, PASSWORD),
                headers={"Accept": TAXII_ACCEPT},
                timeout=30,
                verify=server.verify,
            )
            if reply.status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):
            pass
        assert time.monotonic() < deadline, "medallion not ready in time"
        time.sleep(0.05)


def sid(kind: str, name: str) -> str:
    return f"{kind}--{uuid.uuid5(NAMESPACE, f'{kind}/{name}')}"


def generated_bundle(count: int) -> dict[str, Any]:
    """``count`` objects: a producer identity, attack patterns, and relationships after them."""
    producer = sid("identity", "producer")
    common = {"spec_version": "2.1", "created": WHEN, "modified": WHEN}
    objects: list[dict[str, Any]] = [
        {
            **common,
            "type": "identity",
            "id": producer,
            "name": "Test producer",
            "identity_class": "organization",
        },
        {
            **common,
            "type": "intrusion-set",
            "id": sid("intrusion-set", "x"),
            "name": "Storm-X",
            "created_by_ref": producer,
        },
    ]
    patterns = (count - 2) // 2
    for index in range(patterns):
        objects.append(
            {
                **common,
                "type": "attack-pattern",
                "id": sid("attack-pattern", str(index)),
                "name": f"Technique {index} \u2013 r\u00e9sum\u00e9",
                "created_by_ref": producer,
                "description": "x" * (index % 50),
            }
        )
    for index in range(count - len(objects)):
        objects.append(
            {
                **common,
                "type": "relationship",
                "id": sid("relationship", str(index)),
                "relationship_type": "uses",
                "source_ref": sid("intrusion-set", "x"),
                "target_ref": sid("attack-pattern", str(index % patterns)),
                "created_by_ref": producer,
            }
        )
    return {"type": "bundle", "id": sid("bundle", str(count)), "objects": objects}


def write_unsigned(path: Path, bundle: dict[str, Any]) -> Path:
    path.write_bytes(pretty_bytes(bundle))
    return path


def write_signed(directory: Path, bundle: dict[str, Any]) -> Path:
    """Write the bundle into ``directory`` with a fresh key: .jws, manifest and keys/jwks.json."""
    bundle_path = write_unsigned(directory / "bundle.json", bundle)
    keys = directory / "private"
    keys.mkdir()
    pair = generate_keypair(keys, "test", public_dir=directory / "keys")
    sign_bundle_file(bundle_path, pair.private_key)
    return bundle_path
