"""``publish`` and ``pull`` against a misbehaving server: the fault proxy (tests/fault_proxy.py)
in front of a real medallion. Each failure mode has its documented exit code, one ``error:``
line, no secret on the terminal, and the account of what landed; a rerun completes the rest.

No wall-clock thresholds: where a bound in time matters (the deadline) it is checked by what
the server could send before the client gave up (a count), with a generous wall-clock margin
stated as such on top.
"""

from __future__ import annotations

import base64
import json
import os
import pty
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from fault_proxy import FaultProxy, Rule, fault_proxy, recording_server
from test_publish_support import (
    COLLECTION,
    PASSWORD,
    USER,
    TaxiiServer,
    generated_bundle,
    taxii_server,
    write_unsigned,
)

from stix_mtac.canonical import canonical_bytes
from stix_mtac.cli import cli
from stix_mtac.publish import Connection, Credentials, RetryPolicy, TaxiiClient
from stix_mtac.publish.taxii import retry_after_seconds

pytestmark = pytest.mark.network

OBJECTS = 13
POSTS = r"/collections/[^/]+/objects/$"
OBJECT_READS = r"/collections/[^/]+/objects/\?"
STATUS = r"/status/"


def login() -> list[str]:
    return ["--user", USER, "--password", PASSWORD]


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env)


def publish(bundle: Path, url: str, *extra: str, env: dict[str, str] | None = None) -> Result:
    return run(
        "publish",
        str(bundle),
        "--url",
        url,
        "--collection",
        COLLECTION,
        "--allow-unsigned",
        *login(),
        "--backoff",
        "0.01",
        *extra,
        env=env,
    )


def error_lines(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("error:")]


def assert_clean(result: Result, code: int) -> str:
    """Exit ``code``, one error line, no traceback, no secret; returns the error line."""
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    secrets = (PASSWORD, base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode())
    for secret in secrets:
        assert secret not in result.output
    if code == 0:
        return ""
    errors = error_lines(result)
    assert len(errors) == 1, result.stderr
    return errors[0]


def stored_keys(server: TaxiiServer) -> list[tuple[str, str]]:
    return sorted((o["id"], o["modified"]) for o in server.objects())


def sent_keys(bundle: dict[str, Any]) -> list[tuple[str, str]]:
    return sorted((o["id"], o["modified"]) for o in bundle["objects"])


@contextmanager
def behind_proxy(tmp_path: Path, rules: list[Rule]) -> Iterator[tuple[TaxiiServer, FaultProxy]]:
    with taxii_server(tmp_path) as server, fault_proxy(server.base, rules) as proxy:
        yield server, proxy


@pytest.fixture
def bundle_file(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    bundle = generated_bundle(OBJECTS)
    return write_unsigned(tmp_path / "b.json", bundle), bundle


# -- retries -----------------------------------------------------------------------------


def test_429_with_retry_after_then_success(tmp_path: Path, bundle_file: Any) -> None:
    path, bundle = bundle_file
    rules = [Rule("POST", POSTS, "status", times=2, status=429, headers={"Retry-After": "1"})]
    with behind_proxy(tmp_path, rules) as (server, proxy):
        result = publish(path, proxy.api_root())
        posts = proxy.count("POST", POSTS)
        stored = stored_keys(server)
    assert_clean(result, 0)
    assert posts == 3  # two refusals, then the one that landed
    assert f"{OBJECTS} added, 0 already present, 0 failed, 0 pending" in result.stdout
    assert stored == sent_keys(bundle)


def test_the_wait_is_what_retry_after_asks_not_the_backoff(tmp_path: Path) -> None:
    rules = [Rule("GET", r"/api1/$", "status", times=2, status=503, headers={"Retry-After": "3"})]
    waits: list[float] = []
    policy = RetryPolicy(attempts=4, backoff_seconds=0.25)
    with behind_proxy(tmp_path, rules) as (_, proxy):
        connection = Connection(
            proxy.api_root(), COLLECTION, Credentials(USER, PASSWORD), retry=policy
        )
        with TaxiiClient(connection, sleep=waits.append) as client:
            information = client.api_root_information()
    assert information["title"] == "test API root"
    assert waits == [3.0, 3.0]  # the backoff alone would have waited 0.25 and 0.5


def test_retry_after_as_an_http_date() -> None:
    from datetime import UTC, datetime

    now = datetime(2026, 12, 2, 7, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("Wed, 02 Dec 2026 07:00:30 GMT", now) == 30.0
    assert retry_after_seconds("Wed, 02 Dec 2026 06:59:00 GMT", now) == 0.0
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds("120", now) == 120.0


def test_a_retry_after_longer_than_allowed_is_not_waited_out(
    tmp_path: Path, bundle_file: Any
) -> None:
    path, _ = bundle_file
    rules = [Rule("POST", POSTS, "status", status=429, headers={"Retry-After": "86400"})]
    with behind_proxy(tmp_path, rules) as (server, proxy):
        result = publish(path, proxy.api_root())
        posts = proxy.count("POST", POSTS)
        stored = stored_keys(server)
    error = assert_clean(result, 7)
    assert "asks to retry after 86400 s" in error and "publish stopped" in error
    assert posts == 1 and stored == []


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_then_success(tmp_path: Path, bundle_file: Any, status: int) -> None:
    path, bundle = bundle_file
    with behind_proxy(tmp_path, [Rule("POST", POSTS, "status", times=2, status=status)]) as (
        server,
        proxy,
    ):
        result = publish(path, proxy.api_root())
        posts = proxy.count("POST", POSTS)
        stored = stored_keys(server)
    assert_clean(result, 0)
    assert posts == 3 and stored == sent_keys(bundle)


def test_5xx_until_the_retries_run_out_exits_7_with_the_account(
    tmp_path: Path, bundle_file: Any
) -> None:
    path, _ = bundle_file
    with behind_proxy(tmp_path, [Rule("POST", POSTS, "status", status=503)]) as (server, proxy):
        result = publish(path, proxy.api_root(), "--retries", "3")
        posts = proxy.count("POST", POSTS)
        stored = stored_keys(server)
    error = assert_clean(result, 7)
    assert "HTTP 503" in error and "after 3 attempts" in error
    assert f"0 of {OBJECTS} objects landed" in error
    assert f"envelope 1/1, objects 1-{OBJECTS}" in result.stderr
    assert f"{OBJECTS} not confirmed" in result.stderr
    assert posts == 3 and stored == []


@pytest.mark.parametrize("action", ["truncate", "drop"])
def test_a_connection_lost_mid_answer_is_retried(
    tmp_path: Path, bundle_file: Any, action: str
) -> None:
    """The first POST reaches medallion (truncate: its answer is cut in half; drop: no answer
    at all); the retry lands on objects the server already holds, which count as present."""
    path, bundle = bundle_file
    with behind_proxy(tmp_path, [Rule("POST", POSTS, action, times=1)]) as (server, proxy):
        result = publish(path, proxy.api_root())
        posts = proxy.count("POST", POSTS)
        stored = stored_keys(server)
    assert_clean(result, 0)
    assert posts == 2
    assert stored == sent_keys(bundle)  # one copy of each, though sent twice (truncate)
    assert "0 failed, 0 pending" in result.stdout


def test_a_read_back_page_lost_mid_answer_is_retried(tmp_path: Path, bundle_file: Any) -> None:
    path, _ = bundle_file
    rules = [Rule("GET", OBJECT_READS, "truncate", times=1)]
    with behind_proxy(tmp_path, rules) as (_, proxy):
        result = publish(path, proxy.api_root(), "--verify-readback")
        reads = proxy.count("GET", OBJECT_READS)
    assert_clean(result, 0)
    assert f"read back {OBJECTS} objects: 0 missing, 0 changed" in result.stdout
    assert reads == 2


# -- deadline and timeouts ---------------------------------------------------------------


def test_a_slow_loris_server_does_not_hold_publish_past_the_deadline(
    tmp_path: Path, bundle_file: Any
) -> None:
    path, _ = bundle_file
    per_byte = 0.5
    deadline = 4.0
    rules = [Rule("POST", POSTS, "slow", seconds=per_byte)]
    with behind_proxy(tmp_path, rules) as (_, proxy):
        started = time.monotonic()
        result = publish(path, proxy.api_root(), "--deadline", str(deadline), "--timeout", "2")
        elapsed = time.monotonic() - started
        trickled = proxy.slow_bytes_sent
    error = assert_clean(result, 7)
    assert "overall deadline of 4 s passed" in error
    assert f"{OBJECTS} not confirmed" in result.stderr
    # The status answer is some 200 bytes, i.e. 100 s at this pace: the client must have hung
    # up long before. Bytes sent count server work, not wall time, so load cannot inflate
    # them; the wall-clock bound is a generous margin (10x the deadline), stated as such.
    assert trickled <= deadline / per_byte + 4
    assert elapsed < 10 * deadline


def test_read_timeout_from_the_environment(tmp_path: Path, bundle_file: Any) -> None:
    path, _ = bundle_file
    rules = [Rule("GET", r"/api1/$", "delay", seconds=3)]
    env = {"STIX_MTAC_TAXII_TIMEOUT": "0.5", "STIX_MTAC_TAXII_RETRIES": "2"}
    with behind_proxy(tmp_path, rules) as (_, proxy):
        result = publish(path, proxy.api_root(), env=env)
        probes = proxy.count("GET", r"/api1/$")
    error = assert_clean(result, 7)
    assert "no answer within 0.5 s after 2 attempts" in error
    assert probes == 2


def test_the_timeout_options_are_documented_with_their_variables() -> None:
    result = run("publish", "--help")
    for option, variable in [
        ("--connect-timeout", "STIX_MTAC_TAXII_CONNECT_TIMEOUT"),
        ("--timeout", "STIX_MTAC_TAXII_TIMEOUT"),
        ("--deadline", "STIX_MTAC_TAXII_DEADLINE"),
        ("--retries", "STIX_MTAC_TAXII_RETRIES"),
    ]:
        assert option in result.output and variable in result.output


# -- status resources --------------------------------------------------------------------


def pending(status: dict[str, Any]) -> dict[str, Any]:
    total = status.get("total_count", OBJECTS)
    return {
        **status,
        "status": "pending",
        "success_count": 0,
        "failure_count": 0,
        "pending_count": total,
        "successes": [],
        "failures": [],
    }


def test_a_status_that_stays_pending_is_a_bounded_wait_exit_9(
    tmp_path: Path, bundle_file: Any
) -> None:
    path, _ = bundle_file
    rules = [
        Rule("POST", POSTS, "rewrite", rewrite=pending),
        Rule("GET", STATUS, "rewrite", rewrite=pending),
    ]
    with behind_proxy(tmp_path, rules) as (_, proxy):
        result = publish(path, proxy.api_root(), "--status-timeout", "2")
        polls = proxy.count("GET", STATUS)
    error = assert_clean(result, 9)
    assert f"{OBJECTS} pending" in error and "run the same command again" in error
    assert "still pending after 2 s" in result.stderr
    assert 1 <= polls <= 3  # at 0.5 s, then 1 s: growing intervals, bounded by the timeout


@pytest.mark.parametrize("claimed", [0, 1000])
def test_status_counts_that_disagree_with_what_was_sent_exit_9(
    tmp_path: Path, bundle_file: Any, claimed: int
) -> None:
    path, _ = bundle_file

    def claim(status: dict[str, Any]) -> dict[str, Any]:
        return {**status, "success_count": claimed}

    with behind_proxy(tmp_path, [Rule("POST", POSTS, "rewrite", rewrite=claim)]) as (_, proxy):
        result = publish(path, proxy.api_root())
    error = assert_clean(result, 9)
    assert f"{OBJECTS} not confirmed" in error
    assert f"{claimed} added, 0 failed and 0 pending for {OBJECTS} objects sent" in result.stderr


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("failures", 5, "'failures' is int 5, not a list"),
        ("success_count", "13", "'success_count' is str '13', not a count"),
        ("pending_count", -1, "'pending_count' is int -1, not a count"),
        ("status", None, "'status' is missing"),
    ],
)
def test_a_malformed_status_is_a_clear_error_not_a_crash(
    tmp_path: Path, bundle_file: Any, field: str, value: Any, says: str
) -> None:
    path, _ = bundle_file

    def damage(status: dict[str, Any]) -> dict[str, Any]:
        changed = {**status, field: value}
        if value is None:
            del changed[field]
        return changed

    with behind_proxy(tmp_path, [Rule("POST", POSTS, "rewrite", rewrite=damage)]) as (_, proxy):
        result = publish(path, proxy.api_root())
    error = assert_clean(result, 7)
    assert says in error


# -- read-back and pull paging -----------------------------------------------------------


@pytest.mark.parametrize("command", ["pull", "publish"])
def test_more_true_with_the_same_next_forever_stops(
    tmp_path: Path, bundle_file: Any, command: str
) -> None:
    path, bundle = bundle_file
    stuck = {"more": True, "next": "the-same-cursor", "objects": bundle["objects"][:2]}
    rules = [Rule("GET", OBJECT_READS, "status", status=200, body=json.dumps(stuck).encode())]
    with behind_proxy(tmp_path, rules) as (_, proxy):
        if command == "pull":
            args = ["pull", proxy.api_root(), "--collection", COLLECTION, *login()]
            result = run(*args, "-o", str(tmp_path / "out.json"))
        else:
            result = publish(path, proxy.api_root(), "--verify-readback")
        reads = proxy.count("GET", OBJECT_READS)
    error = assert_clean(result, 7)
    assert "3 pages in a row with nothing new" in error and "stopped" in error
    assert reads == 4  # the first page, then three that bring nothing new
    assert not (tmp_path / "out.json").exists()


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("objects", 7, "'objects' is int, not a list"),
        ("more", "yes", "'more' is str, not true or false"),
    ],
)
def test_a_malformed_page_is_a_clear_error(
    tmp_path: Path, field: str, value: Any, says: str
) -> None:
    def damage(envelope: dict[str, Any]) -> dict[str, Any]:
        return {**envelope, field: value}

    rules = [Rule("GET", OBJECT_READS, "rewrite", rewrite=damage)]
    with behind_proxy(tmp_path, rules) as (server, proxy):
        server.post(generated_bundle(4)["objects"])
        args = ["pull", proxy.api_root(), "--collection", COLLECTION, *login()]
        result = run(*args, "-o", str(tmp_path / "out.json"))
    error = assert_clean(result, 7)
    assert says in error


# -- a partial failure, its account, and the rerun that completes it ---------------------


def test_a_rerun_after_a_partial_failure_completes_the_rest(
    tmp_path: Path, bundle_file: Any
) -> None:
    path, bundle = bundle_file
    # 13 objects in envelopes of 5: the first lands, the second meets a server gone bad.
    rules = [Rule("POST", POSTS, "status", status=503, after=1)]
    with taxii_server(tmp_path) as server:
        with fault_proxy(server.base, rules) as proxy:
            first = publish(path, proxy.api_root(), "--envelope-objects", "5", "--retries", "2")
        after_first = stored_keys(server)
        second = publish(path, server.api_root, "--envelope-objects", "5", "--verify-readback")
        after_second = stored_keys(server)
    error = assert_clean(first, 7)
    assert "HTTP 503 (fault) after 2 attempts" in error
    assert f"5 of {OBJECTS} objects landed, 8 did not; run the same command again" in error
    ids = [o["id"] for o in bundle["objects"]]
    account = [line for line in first.stderr.splitlines() if line.startswith("envelope ")]
    assert account == [
        f"envelope 1/3, objects 1-5 ({ids[0]} .. {ids[4]}): 5 added, 0 refused, 0 pending",
        f"envelope 2/3, objects 6-10 ({ids[5]} .. {ids[9]}): 0 added, 0 refused, 0 pending, "
        f"5 not confirmed ({error.removeprefix('error: ').split('; publish stopped')[0]})",
        f"envelope 3/3, objects 11-13 ({ids[10]} .. {ids[12]}): not sent",
    ]
    assert after_first == sorted((o["id"], o["modified"]) for o in bundle["objects"][:5])
    assert_clean(second, 0)
    assert "8 added, 5 already present, 0 failed, 0 pending" in second.stdout
    assert f"read back {OBJECTS} objects: 0 missing, 0 changed" in second.stdout
    assert after_second == sent_keys(bundle)  # each object once: the rerun was harmless


# -- redirects, secrets and what reaches the terminal ------------------------------------


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_to_another_host_is_refused_and_gets_no_credentials(
    tmp_path: Path, bundle_file: Any, status: int
) -> None:
    path, _ = bundle_file
    with recording_server() as elsewhere:
        target = elsewhere.api_root()
        rules = [Rule("GET", r"/api1/$", "redirect", status=status, location=target)]
        with behind_proxy(tmp_path, rules) as (server, proxy):
            result = publish(path, proxy.api_root())
            stored = stored_keys(server)
        arrived = list(elsewhere.seen)
    error = assert_clean(result, 7)
    assert f"HTTP {status} redirects to another host" in error
    assert elsewhere.base.removeprefix("http://") in error
    assert arrived == []  # not even a request, let alone the Authorization header
    assert stored == []


def test_a_redirect_on_the_same_host_is_followed(tmp_path: Path, bundle_file: Any) -> None:
    path, bundle = bundle_file
    with taxii_server(tmp_path) as server, fault_proxy(server.base, []) as proxy:
        # once: the redirected request (the same URL) then reaches the server
        proxy.rules.append(
            Rule("GET", r"/api1/$", "redirect", times=1, status=308, location=proxy.api_root())
        )
        result = publish(path, proxy.api_root())
        probes = proxy.count("GET", r"/api1/$")
        stored = stored_keys(server)
    assert_clean(result, 0)
    assert probes >= 2
    assert stored == sent_keys(bundle)


@pytest.mark.parametrize("status", [500, 401])
def test_a_server_that_echoes_the_authorization_header_gets_it_redacted(
    tmp_path: Path, bundle_file: Any, status: int
) -> None:
    path, _ = bundle_file
    with behind_proxy(tmp_path, [Rule("GET", r"/api1/$", "echo-auth", status=status)]) as (_, p):
        result = publish(path, p.api_root(), "--retries", "1")
    error = assert_clean(result, 8 if status == 401 else 7)
    assert "bad auth got Basic [redacted]" in error


def test_a_bearer_token_echoed_by_the_server_is_redacted(tmp_path: Path, bundle_file: Any) -> None:
    path, _ = bundle_file
    token = "tok-Echoed-99812"
    with behind_proxy(tmp_path, [Rule("GET", r"/api1/$", "echo-auth", status=500)]) as (_, p):
        result = run(
            "publish", str(path), "--url", p.api_root(), "--collection", COLLECTION,
            "--allow-unsigned", "--token", token, "--retries", "1",
        )  # fmt: skip
    assert result.exit_code == 7, result.output
    assert token not in result.output
    assert "bad auth got Bearer [redacted]" in result.stderr


def test_control_characters_from_the_server_are_escaped(tmp_path: Path, bundle_file: Any) -> None:
    path, _ = bundle_file
    body = b'{"title": "bad\\u001b]0;owned\\u0007\\nerror: forged line"}'
    with behind_proxy(tmp_path, [Rule("GET", r"/api1/$", "status", status=500, body=body)]) as (
        _,
        proxy,
    ):
        result = publish(path, proxy.api_root(), "--retries", "1")
    error = assert_clean(result, 7)
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "\\x1b]0;owned\\x07" in error


def test_a_non_utf8_password_is_sent_as_its_bytes_without_a_crash(
    tmp_path: Path, bundle_file: Any
) -> None:
    """A password from the environment that is not UTF-8 (Python sees surrogate escapes)
    goes out as exactly the bytes given; it crashed with exit 70 before."""
    path, _ = bundle_file
    password = b"pw-\xff\xfe-7731"
    environment = {
        key.encode(): value.encode()
        for key, value in os.environ.items()
        if not key.startswith("STIX_MTAC_")
    }
    environment[b"STIX_MTAC_TAXII_USER"] = USER.encode()
    environment[b"STIX_MTAC_TAXII_PASSWORD"] = password
    with recording_server() as server:  # answers every request with 200 and {}
        args = ["publish", str(path), "--url", server.api_root(), "--collection", COLLECTION]
        completed = subprocess.run(
            [sys.executable, "-m", "stix_mtac", *args, "--allow-unsigned", "--retries", "1"],
            capture_output=True,
            env=environment,
            timeout=120,
        )
        sent = [seen.headers.get("Authorization") for seen in server.seen]
    stderr = completed.stderr.decode("utf-8", "replace")
    expected = "Basic " + base64.b64encode(USER.encode() + b":" + password).decode()
    assert sent and set(sent) == {expected}
    # {} is no status resource: a server error, in one line, without the credential
    assert completed.returncode == 7, stderr
    assert "'status' is missing" in stderr and "Traceback" not in stderr
    assert len(stderr.splitlines()) == 2  # the envelope's account, then the error
    assert password not in completed.stderr + completed.stdout
    assert expected.split()[1].encode() not in completed.stderr


def test_dry_run_with_an_integer_beyond_2_53_is_an_input_error(tmp_path: Path) -> None:
    bundle = generated_bundle(4)
    bundle["objects"][2]["x_big"] = 2**53 + 1
    path = write_unsigned(tmp_path / "big.json", bundle)
    result = run(
        "publish", str(path), "--url", "http://127.0.0.1:9/api1/", "--collection", COLLECTION,
        "--allow-unsigned", "--dry-run",
    )  # fmt: skip
    error = assert_clean(result, 4)
    assert "$.objects[2]" in error and "canonical JSON" in error


# -- progress ----------------------------------------------------------------------------


def test_progress_goes_to_a_terminal_and_nowhere_else(tmp_path: Path, bundle_file: Any) -> None:
    path, _ = bundle_file
    with taxii_server(tmp_path) as server:
        args = [
            "publish", str(path), "--url", server.api_root, "--collection", COLLECTION,
            "--allow-unsigned", *login(), "--envelope-objects", "5", "--verify-readback",
        ]  # fmt: skip
        piped = run(*args)
        leader, follower = pty.openpty()
        try:
            completed = subprocess.run(
                [sys.executable, "-m", "stix_mtac", *args],
                stdout=subprocess.PIPE,
                stderr=follower,
                timeout=120,
            )
            os.close(follower)
            follower = -1
            terminal = b""
            while True:
                try:
                    chunk = os.read(leader, 65536)
                except OSError:  # the pty's other end is closed: everything was read
                    break
                if not chunk:
                    break
                terminal += chunk
        finally:
            os.close(leader)
            if follower >= 0:
                os.close(follower)
    assert completed.returncode == 0
    shown = terminal.decode("utf-8", "replace")
    assert "publishing: envelope 3/3, 10/13 objects sent" in shown
    assert "reading: page 1" in shown
    assert "publishing:" not in piped.stderr and "reading:" not in piped.stderr
    assert piped.exit_code == 0


def test_retried_posts_store_each_object_once(tmp_path: Path, bundle_file: Any) -> None:
    """Idempotence, independent of our client: what medallion holds after retried POSTs."""
    path, bundle = bundle_file
    rules = [Rule("POST", POSTS, "truncate", times=2)]
    with behind_proxy(tmp_path, rules) as (server, proxy):
        result = publish(path, proxy.api_root(), "--retries", "4")
        held = server.objects()
    assert_clean(result, 0)
    assert sorted(canonical_bytes(o) for o in held) == sorted(
        canonical_bytes(o) for o in bundle["objects"]
    )
