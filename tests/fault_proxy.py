"""A fault-injecting HTTP proxy for the publish tests: a small real HTTP server on 127.0.0.1
in front of the real medallion server, which misbehaves on purpose.

Each request is matched against the rules in order; the first rule whose method and path
pattern match, and that has uses left, decides what happens: answer with a chosen status
(429 with Retry-After, 5xx), wait, send the real answer truncated or a byte at a time, drop
the connection, rewrite the real JSON answer, redirect, or echo the request's Authorization
header in an error (a careless server). Unmatched requests are forwarded unchanged. Every
request is recorded, so a test can count what the client did.
"""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

Rewrite = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass
class Rule:
    method: str  # "GET", "POST" or "*"
    path: str  # a regular expression searched in the request path (with query)
    action: str  # status | delay | truncate | drop | slow | rewrite | redirect | echo-auth
    times: int = 1_000_000  # how many matching requests it applies to
    after: int = 0  # matching requests let through unchanged before it applies
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    seconds: float = 0.0
    rewrite: Rewrite | None = None
    location: str = ""

    def matches(self, method: str, path: str) -> bool:
        return (
            self.times > 0
            and self.method in ("*", method)
            and re.search(self.path, path) is not None
        )

    def take(self) -> bool:
        """Count one matching request; True when the rule applies to it."""
        if self.after > 0:
            self.after -= 1
            return False
        self.times -= 1
        return True


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]


class _QuietServer(ThreadingHTTPServer):
    """A client that hangs up mid-answer is expected here; its error is recorded, not printed
    (the tests read stderr, and CliRunner captures it for the whole process)."""

    errors: list[str]

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        self.errors.append(repr(sys.exc_info()[1]))


class FaultProxy:
    def __init__(self, upstream: str, rules: list[Rule]) -> None:
        parts = urlsplit(upstream)
        self.upstream_host = parts.hostname or "127.0.0.1"
        self.upstream_port = parts.port or 80
        self.rules = rules
        self.seen: list[Seen] = []
        self.slow_bytes_sent = 0  # bytes of "slow" answers that reached the socket
        self.lock = threading.Lock()
        self.server = _QuietServer(("127.0.0.1", 0), self._handler())
        self.server.errors = []
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def api_root(self, name: str = "api1") -> str:
        return f"{self.base}/{name}/"

    def count(self, method: str, pattern: str) -> int:
        with self.lock:
            return sum(1 for s in self.seen if s.method == method and re.search(pattern, s.path))

    def _take(self, method: str, path: str, headers: dict[str, str]) -> Rule | None:
        with self.lock:
            self.seen.append(Seen(method, path, headers))
            for rule in self.rules:
                if rule.matches(method, path):
                    return rule if rule.take() else None
        return None

    def _forward(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        connection = http.client.HTTPConnection(self.upstream_host, self.upstream_port, timeout=600)
        try:
            forwarded = {
                k: v for k, v in headers.items() if k.lower() not in ("host", "connection")
            }
            connection.request(method, path, body=body or None, headers=forwarded)
            reply = connection.getresponse()
            return reply.status, reply.getheaders(), reply.read()
        finally:
            connection.close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = dict(self.headers.items())
                rule = proxy._take(self.command, self.path, headers)
                action = rule.action if rule else "forward"
                if action == "status":
                    assert rule is not None
                    self._send(rule.status, rule.headers, rule.body or b'{"title": "fault"}')
                    return
                if action == "echo-auth":
                    echoed = {"title": f"bad auth got {headers.get('Authorization', '')}"}
                    assert rule is not None
                    self._send(rule.status, {}, json.dumps(echoed).encode())
                    return
                if action == "redirect":
                    assert rule is not None
                    self._send(rule.status, {"Location": rule.location}, b"")
                    return
                if action == "drop":
                    self.close_connection = True
                    self.connection.close()
                    return
                if action == "delay":
                    assert rule is not None
                    time.sleep(rule.seconds)
                status, upstream_headers, data = proxy._forward(
                    self.command, self.path, headers, body
                )
                kept = {
                    k: v
                    for k, v in upstream_headers
                    if k.lower() in ("content-type",) or k.lower().startswith("x-taxii")
                }
                if action == "rewrite":
                    assert rule is not None and rule.rewrite is not None
                    data = json.dumps(rule.rewrite(json.loads(data))).encode()
                if action == "truncate":
                    self.send_response(status)
                    for name, value in kept.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data[: len(data) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.close()
                    return
                if action == "slow":
                    assert rule is not None
                    self.send_response(status)
                    for name, value in kept.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    try:
                        for index in range(len(data)):
                            self.wfile.write(data[index : index + 1])
                            self.wfile.flush()
                            with proxy.lock:
                                proxy.slow_bytes_sent += 1
                            time.sleep(rule.seconds)
                    except OSError:
                        pass  # the client gave up, as it should
                    self.close_connection = True
                    return
                self._send(status, kept, data)

            def _send(self, status: int, headers: dict[str, str], data: bytes) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if "Content-Type" not in headers and "content-type" not in headers:
                    self.send_header("Content-Type", "application/taxii+json;version=2.1")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = _serve
            do_POST = _serve

        return Handler


@contextmanager
def fault_proxy(upstream: str, rules: list[Rule]) -> Iterator[FaultProxy]:
    proxy = FaultProxy(upstream, rules)
    proxy.thread.start()
    try:
        yield proxy
    finally:
        proxy.server.shutdown()
        proxy.server.server_close()


@contextmanager
def recording_server() -> Iterator[FaultProxy]:
    """Another host (as far as a redirect goes): records what arrives, answers 200 {}."""
    proxy = FaultProxy("http://127.0.0.1:9", [Rule("*", "", "status", status=200, body=b"{}")])
    proxy.thread.start()
    try:
        yield proxy
    finally:
        proxy.server.shutdown()
        proxy.server.server_close()
