"""``stix-mtac publish`` against a real medallion TAXII 2.1 server on 127.0.0.1."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from test_publish_support import (
    COLLECTION,
    PASSWORD,
    READ_ONLY_COLLECTION,
    USER,
    generated_bundle,
    taxii_server,
    write_signed,
    write_unsigned,
)

from stix_mtac.canonical import canonical_bytes
from stix_mtac.cli import cli
from stix_mtac.errors import ServerError
from stix_mtac.publish import Connection, Credentials, RetryPolicy, TaxiiClient
from stix_mtac.publish.readback import iter_pages

pytestmark = pytest.mark.network


def publish(bundle: Path, url: str, *extra: str, env: dict[str, str] | None = None) -> Result:
    """Publish, trusting the keyring the test's layout holds (named: never found by itself)."""
    keyring = bundle.parent / "keys" / "jwks.json"
    trust = ["--keyring", str(keyring)] if keyring.exists() else []
    args = ["publish", str(bundle), "--url", url, "--collection", COLLECTION, *trust, *extra]
    return CliRunner().invoke(cli, args, env=env)


def login(password: str = PASSWORD) -> list[str]:
    return ["--user", USER, "--password", password]


def by_key(objects: list[dict[str, Any]]) -> dict[tuple[str, str], bytes]:
    return {(o["id"], o["modified"]): canonical_bytes(o) for o in objects}


def assert_one_clean_error(result: Result, code: int, *secrets: str) -> None:
    assert result.exit_code == code, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert "Traceback" not in result.output
    for secret in secrets:
        assert secret not in result.output


def test_1k_objects_round_trip_signed_bundle(tmp_path: Path) -> None:
    bundle = generated_bundle(1000)
    path = write_signed(tmp_path, bundle)
    with taxii_server(tmp_path) as server:
        started = time.monotonic()
        # medallion's memory backend sorts the collection quadratically on every read: one
        # read of 1,000 objects took 23 s on a loaded 2-core machine, so each request gets a
        # timeout with ample headroom (600 s); the test bounds correctness, not speed.
        result = publish(path, server.api_root, *login(), "--verify-readback", "--timeout", "600")
        elapsed = time.monotonic() - started
        stored = server.objects()
    assert result.exit_code == 0, result.output
    assert "1000 added, 0 already present, 0 failed, 0 pending" in result.stdout
    assert "read back 1000 objects: 0 missing, 0 changed" in result.stdout
    # Independent of our client: what medallion holds is exactly what the bundle says.
    assert len(stored) == 1000
    assert by_key(stored) == by_key(bundle["objects"])
    print(f"1k-object publish + read-back: {elapsed:.2f} s")


def test_republish_leaves_one_version_and_succeeds(tmp_path: Path) -> None:
    bundle = generated_bundle(40)
    path = write_signed(tmp_path, bundle)
    with taxii_server(tmp_path) as server:
        first = publish(path, server.api_root, *login())
        second = publish(path, server.api_root, *login(), "--verify-readback")
        stored = server.objects()
    assert first.exit_code == 0, first.output
    assert "40 added, 0 already present" in first.stdout
    assert second.exit_code == 0, second.output
    assert "0 added, 40 already present, 0 failed" in second.stdout
    assert sorted(o["id"] for o in stored) == sorted(o["id"] for o in bundle["objects"])


def test_same_id_and_modified_with_other_content_is_a_failure(tmp_path: Path) -> None:
    bundle = generated_bundle(20)
    victim = bundle["objects"][5]
    path = write_signed(tmp_path, bundle)
    with taxii_server(tmp_path) as server:
        # Someone else stored different content under our id and version: medallion keeps
        # theirs and reports our object failed. That must not pass as "already present".
        server.post([{**victim, "name": "not what we publish"}])
        result = publish(path, server.api_root, *login())
        stored = server.objects()
    assert_one_clean_error(result, 9, PASSWORD)
    assert "19 added, 0 already present, 1 failed" in result.stdout
    assert f"failed: {victim['id']} ({victim['modified']}): Unable to process object" in (
        result.stderr
    )
    assert len(stored) == 20


def test_wrong_password_exits_8_without_echoing_it(tmp_path: Path) -> None:
    path = write_unsigned(tmp_path / "b.json", generated_bundle(4))
    with taxii_server(tmp_path) as server:
        result = publish(path, server.api_root, "--allow-unsigned", *login("Wr0ng-pass-991"))
        stored = server.objects()
    assert_one_clean_error(result, 8, "Wr0ng-pass-991")
    assert "HTTP 401" in result.stderr and "refused the credentials" in result.stderr
    assert stored == []


def test_no_credentials_exits_8(tmp_path: Path) -> None:
    path = write_unsigned(tmp_path / "b.json", generated_bundle(4))
    with taxii_server(tmp_path) as server:
        result = publish(path, server.api_root, "--allow-unsigned")
    assert_one_clean_error(result, 8)
    assert "without credentials" in result.stderr


def test_bearer_token_refused_by_basic_only_server_exits_8(tmp_path: Path) -> None:
    path = write_unsigned(tmp_path / "b.json", generated_bundle(4))
    with taxii_server(tmp_path) as server:
        result = publish(
            path, server.api_root, "--allow-unsigned", env={"STIX_MTAC_TAXII_TOKEN": "tok-83412"}
        )
    assert_one_clean_error(result, 8, "tok-83412")


def test_credentials_from_environment(tmp_path: Path) -> None:
    path = write_unsigned(tmp_path / "b.json", generated_bundle(6))
    env = {"STIX_MTAC_TAXII_USER": USER, "STIX_MTAC_TAXII_PASSWORD": PASSWORD}
    with taxii_server(tmp_path) as server:
        result = publish(path, server.api_root, "--allow-unsigned", env=env)
        stored = server.objects()
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    assert len(stored) == 6


def test_read_only_collection_exits_8(tmp_path: Path) -> None:
    path = write_unsigned(tmp_path / "b.json", generated_bundle(4))
    with taxii_server(tmp_path) as server:
        args = ["publish", str(path), "--url", server.api_root, *login()]
        result = CliRunner().invoke(
            cli, [*args, "--collection", READ_ONLY_COLLECTION, "--allow-unsigned"]
        )
    assert_one_clean_error(result, 8, PASSWORD)
    assert "HTTP 403" in result.stderr


def test_unknown_collection_exits_7(tmp_path: Path) -> None:
    path = write_unsigned(tmp_path / "b.json", generated_bundle(4))
    with taxii_server(tmp_path) as server:
        args = ["publish", str(path), "--url", server.api_root, *login(), "--allow-unsigned"]
        result = CliRunner().invoke(cli, [*args, "--collection", "no-such-collection"])
    assert_one_clean_error(result, 7, PASSWORD)
    assert "HTTP 404" in result.stderr


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port  # closed again: nothing listens there


def test_server_down_exits_7_after_the_retries(tmp_path: Path) -> None:
    path = write_unsigned(tmp_path / "b.json", generated_bundle(4))
    url = f"http://127.0.0.1:{closed_port()}/api1/"
    result = publish(path, url, "--allow-unsigned", *login(), "--retries", "3", "--backoff", "0.01")
    assert_one_clean_error(result, 7, PASSWORD)
    assert "cannot connect" in result.stderr and "after 3 attempts" in result.stderr


def test_non_latin1_user_is_sent_as_utf8(tmp_path: Path) -> None:
    # requests alone encodes Basic credentials as Latin-1 and crashed on the euro sign; UTF-8
    # is what RFC 7617 recommends and medallion decodes first. (medallion answers 500 to a
    # non-ASCII *password*: flask-httpauth's hmac.compare_digest refuses non-ASCII str.)
    user = "analyst-\u20ac-j\u00fcrgen"
    path = write_unsigned(tmp_path / "b.json", generated_bundle(4))
    with taxii_server(tmp_path, extra_users={user: PASSWORD}) as server:
        result = publish(
            path, server.api_root, "--allow-unsigned", "--user", user, "--password", PASSWORD
        )
        stored = server.objects()
    assert result.exit_code == 0, result.output
    assert len(stored) == 4


def test_non_latin1_password_does_not_crash(tmp_path: Path) -> None:
    password = "p\u00e4ssw\u00f6rd-\u20ac-4471"  # requests alone cannot encode the euro sign
    path = write_unsigned(tmp_path / "b.json", generated_bundle(4))
    url = f"http://127.0.0.1:{closed_port()}/api1/"
    result = publish(path, url, "--allow-unsigned", *login(password), "--retries", "1")
    assert_one_clean_error(result, 7, password)


@pytest.mark.parametrize("token", ["tok-5512\n", "tok 5512", "tok-\u20ac-5512", "tok-\x00-5512"])
def test_a_token_that_cannot_be_sent_is_a_usage_error_without_the_token(
    tmp_path: Path, token: str
) -> None:
    path = write_unsigned(tmp_path / "b.json", generated_bundle(4))
    url = f"http://127.0.0.1:{closed_port()}/api1/"
    result = publish(path, url, "--allow-unsigned", "--token", token)
    assert result.exit_code == 2, result.output
    assert "--token" in result.stderr and "the value is not shown" in result.stderr
    assert "5512" not in result.output


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:99999/api1/", "not a valid URL (Port out of range"),
        ("http://[::1/api1/", "not a valid URL (Invalid IPv6 URL)"),
        ("http://127.0.0.1:1/api1/?password=pw-in-query", "no query or fragment"),
        ("ftp://127.0.0.1/api1/", "not an http(s) URL"),
        ("ftp://u:pw-in-url@127.0.0.1/api1/", "not the URL"),
        ("http://.x/api1/", "request failed (InvalidURL)"),
        ("http://a..b/api1/", "request failed (LocationParseError)"),
    ],
)
def test_a_malformed_url_exits_7_in_one_line(tmp_path: Path, url: str, reason: str) -> None:
    path = write_unsigned(tmp_path / "b.json", generated_bundle(4))
    result = publish(path, url, "--allow-unsigned", *login())
    assert_one_clean_error(result, 7, PASSWORD, "pw-in-query", "pw-in-url")
    assert reason in result.stderr


def test_retries_back_off_exponentially_and_stop() -> None:
    waits: list[float] = []
    policy = RetryPolicy(attempts=4, backoff_seconds=0.5, max_wait_seconds=1.5)
    connection = Connection(f"http://127.0.0.1:{closed_port()}/api1", COLLECTION, retry=policy)
    with TaxiiClient(connection, sleep=waits.append) as client, pytest.raises(ServerError):
        client.api_root_information()
    assert waits == [0.5, 1.0, 1.5]


def test_small_max_content_length_splits_into_envelopes(tmp_path: Path) -> None:
    bundle = generated_bundle(60)
    total = sum(len(canonical_bytes(o)) for o in bundle["objects"])
    limit = 3000
    path = write_unsigned(tmp_path / "b.json", bundle)
    with taxii_server(tmp_path, max_content_length=limit) as server:
        result = publish(path, server.api_root, "--allow-unsigned", *login(), "--verify-readback")
        stored = server.objects()
    assert result.exit_code == 0, result.output
    envelopes = int(result.stdout.split(" objects in ")[1].split(" envelope")[0])
    assert envelopes >= -(-total // limit) > 1
    assert by_key(stored) == by_key(bundle["objects"])


def test_object_larger_than_the_server_allows_exits_9_and_sends_nothing(tmp_path: Path) -> None:
    bundle = generated_bundle(10)
    bundle["objects"][3]["description"] = "long " * 1000
    path = write_unsigned(tmp_path / "b.json", bundle)
    with taxii_server(tmp_path, max_content_length=2000) as server:
        result = publish(path, server.api_root, "--allow-unsigned", *login())
        stored = server.objects()
    assert_one_clean_error(result, 9, PASSWORD)
    assert bundle["objects"][3]["id"] in result.stderr and "nothing was sent" in result.stderr
    assert stored == []


def test_unsigned_bundle_is_refused_before_any_request(tmp_path: Path) -> None:
    write_signed(tmp_path, generated_bundle(2))  # a keyring beside it, but no b.json.jws
    path = write_unsigned(tmp_path / "b.json", generated_bundle(4))
    with taxii_server(tmp_path) as server:
        result = publish(path, server.api_root, *login())
        stored = server.objects()
    assert_one_clean_error(result, 5, PASSWORD)
    assert "unsigned" in result.stderr and "b.json.jws" in result.stderr
    assert stored == []


def test_unsigned_bundle_without_keyring_exits_6(tmp_path: Path) -> None:
    path = write_unsigned(tmp_path / "b.json", generated_bundle(4))
    result = publish(path, f"http://127.0.0.1:{closed_port()}/api1/", *login())
    assert_one_clean_error(result, 6, PASSWORD)


@pytest.mark.parametrize("extra", [(), ("--allow-unsigned",)])
def test_altered_signed_bundle_is_refused(tmp_path: Path, extra: tuple[str, ...]) -> None:
    """--allow-unsigned admits bundles without a signature, never a signature that fails."""
    path = write_signed(tmp_path, generated_bundle(4))
    path.write_bytes(path.read_bytes().replace(b"Storm-X", b"Storm-Y"))
    with taxii_server(tmp_path) as server:
        result = publish(path, server.api_root, *extra, *login())
        stored = server.objects()
    assert_one_clean_error(result, 5, PASSWORD)
    assert stored == []


def test_dry_run_sends_nothing_and_lists_envelopes(tmp_path: Path) -> None:
    bundle = generated_bundle(30)
    path = write_unsigned(tmp_path / "b.json", bundle)
    url = f"http://127.0.0.1:{closed_port()}/api1/"  # nothing listens: no request may be made
    args = ["--allow-unsigned", "--dry-run", "--envelope-objects", "10"]
    result = publish(path, url, *args)
    assert result.exit_code == 0, result.output
    assert "would POST 30 objects" in result.stdout
    assert "attack-pattern 14, identity 1, intrusion-set 1, relationship 14" in result.stdout
    lines = [line for line in result.stdout.splitlines() if line.startswith("envelope ")]
    assert [line.split(":")[1].split(",")[0].strip() for line in lines] == ["10 objects"] * 3


def test_insecure_warns(tmp_path: Path) -> None:
    path = write_unsigned(tmp_path / "b.json", generated_bundle(4))
    with taxii_server(tmp_path) as server:
        result = publish(path, server.api_root, "--allow-unsigned", "--insecure", *login())
    assert result.exit_code == 0, result.output
    assert "warning: --insecure: TLS certificates are not verified" in result.stderr


def test_credentials_in_url_are_refused(tmp_path: Path) -> None:
    path = write_unsigned(tmp_path / "b.json", generated_bundle(4))
    result = publish(path, "http://u:pw-in-url@127.0.0.1:1/api1/", "--allow-unsigned")
    assert_one_clean_error(result, 7, "pw-in-url")


def test_readback_resumes_with_added_after_when_the_cursor_expires(tmp_path: Path) -> None:
    bundle = generated_bundle(120)
    with taxii_server(tmp_path, session_timeout=1) as server:
        for start in range(0, 120, 30):  # four adds, four distinct date_added instants
            server.post(bundle["objects"][start : start + 30])
            time.sleep(0.01)
        connection = Connection(server.api_root, COLLECTION, Credentials(USER, PASSWORD))
        statuses: list[int] = []
        with TaxiiClient(connection) as client:
            original = client.get_objects

            def recording(params: Any) -> Any:
                reply = original(params)
                statuses.append(reply.status)
                return reply

            client.get_objects = recording  # type: ignore[method-assign]
            seen: set[str] = set()
            for number, page in enumerate(iter_pages(client, {"match[version]": "all"}, 25)):
                seen.update(o["id"] for o in page)
                if number == 1:
                    time.sleep(
                        6
                    )  # well past session_timeout + check_interval (2 s): cursor dropped
    assert 400 in statuses  # the cursor really expired on the server
    assert seen == {o["id"] for o in bundle["objects"]}


def test_status_counts_json_is_what_medallion_returns(tmp_path: Path) -> None:
    # Pins the reference server's "already present" answer the publisher relies on.
    obj = generated_bundle(4)["objects"][1]
    with taxii_server(tmp_path) as server:
        first = server.post([obj])
        second = server.post([obj])
    assert (first["success_count"], first["failure_count"]) == (1, 0)
    assert (second["success_count"], second["failure_count"]) == (0, 1)
    assert second["failures"] == [
        {"id": obj["id"], "version": obj["modified"], "message": "Unable to process object"}
    ]
    assert json.loads(json.dumps(second))["status"] == "complete"


def run_cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The real command in its own process: what a user sees on the terminal."""
    return subprocess.run(
        [sys.executable, "-m", "stix_mtac", *args],
        capture_output=True,
        text=True,
        timeout=300,  # only a guard against a hang, with headroom for a loaded machine
        # Only the settings given here: no token or STIX_MTAC_DEBUG from the caller's shell.
        env={**{k: v for k, v in os.environ.items() if not k.startswith("STIX_MTAC_")}, **env},
    )


@pytest.mark.parametrize("failure", ["wrong password", "server down", "failed object"])
def test_done_when_each_failure_is_one_line_with_its_exit_code_and_no_secret(
    tmp_path: Path, failure: str
) -> None:
    bundle = generated_bundle(6)
    path = write_unsigned(tmp_path / "b.json", bundle)
    secret = "Wr0ng-pass-6630" if failure == "wrong password" else PASSWORD
    env = {"STIX_MTAC_TAXII_USER": USER, "STIX_MTAC_TAXII_PASSWORD": secret}
    args = ["publish", str(path), "--collection", COLLECTION, "--allow-unsigned"]
    if failure == "server down":
        url = f"http://127.0.0.1:{closed_port()}/api1/"
        result = run_cli([*args, "--url", url, "--retries", "2", "--backoff", "0"], env)
    else:
        with taxii_server(tmp_path) as server:
            if failure == "failed object":
                server.post([{**bundle["objects"][3], "name": "someone else's content"}])
            result = run_cli([*args, "--url", server.api_root], env)
    code, stderr_lines = {
        "wrong password": (8, 1),
        "server down": (7, 1),
        "failed object": (9, 3),  # the failed object's line, the envelope's account, the error
    }[failure]
    assert result.returncode == code, result.stderr
    assert len(result.stderr.splitlines()) == stderr_lines, result.stderr
    assert result.stderr.splitlines()[-1].startswith("error: ")
    assert "Traceback" not in result.stderr
    assert secret not in result.stdout + result.stderr
