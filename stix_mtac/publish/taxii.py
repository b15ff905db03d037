"""The TAXII 2.1 HTTP client: requests, authentication, TLS, retries with backoff.

Only this module imports ``requests``; everything above it sees typed results and
``StixMtacError`` subclasses. Secrets live in ``Credentials`` and go only into request
headers: never into messages, ``repr`` or logs.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3
from requests.auth import HTTPBasicAuth

from stix_mtac.errors import AuthError, ServerError, StixMtacError
from stix_mtac.jsonio import parse_json

TAXII_MEDIA_TYPE = "application/taxii+json;version=2.1"
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# Bounded: a TAXII answer is JSON metadata or a page of objects, never hundreds of MiB.
_MAX_RESPONSE_BYTES = 256 * 1024 * 1024


def token_problem(token: str) -> str | None:
    """Why ``token`` cannot go into an Authorization header, or None. Never quotes the token."""
    if not token.isascii() or not token.isprintable() or any(c.isspace() for c in token):
        # requests would refuse the header with the token in its message.
        return (
            "contains whitespace, a control character or a non-ASCII character (a trailing "
            "newline from a file?); the value is not shown"
        )
    return None


@dataclass(frozen=True)
class Credentials:
    """Basic auth (user and password) or a bearer token; ``repr`` hides the secrets."""

    user: str | None = field(default=None)
    password: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        problem = token_problem(self.token) if self.token else None
        if problem:
            raise ValueError(f"bearer token: {problem}")

    def apply(self, session: requests.Session) -> None:
        if self.token:
            session.headers["Authorization"] = f"Bearer {self.token}"
        elif self.user is not None:
            # UTF-8, as RFC 7617 recommends (medallion, via flask-httpauth, decodes UTF-8
            # first); requests alone sends Latin-1 and crashes on any other character.
            session.auth = HTTPBasicAuth(
                self.user.encode("utf-8"), (self.password or "").encode("utf-8")
            )


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry 429, 5xx and connection errors (bounded)."""

    attempts: int = 4
    backoff_seconds: float = 0.5
    max_wait_seconds: float = 8.0
    timeout_seconds: float = 30.0

    def wait(self, attempt: int, retry_after: str | None) -> float:
        if retry_after and retry_after.strip().isdigit():
            return min(float(retry_after), self.max_wait_seconds)
        return min(self.backoff_seconds * 2.0**attempt, self.max_wait_seconds)


@dataclass(frozen=True)
class Connection:
    """Where to publish: an API root URL and a collection id, and how to connect."""

    api_root: str
    collection: str
    credentials: Credentials = Credentials()
    ca_bundle: Path | None = None
    insecure: bool = False
    retry: RetryPolicy = RetryPolicy()

    def __post_init__(self) -> None:
        try:
            parts = urlsplit(self.api_root)
            _ = parts.port  # raises ValueError for a port out of range
        except ValueError as error:
            raise ServerError(f"--url: not a valid URL ({error})") from None
        if parts.username or parts.password:
            # Credentials in the URL would end up in messages; take them from options only.
            raise ServerError("--url: put the user and password in --user/--password, not the URL")
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ServerError(f"--url {self.api_root!r}: not an http(s) URL of a TAXII API root")
        if parts.query or parts.fragment:
            raise ServerError(
                "--url: a TAXII API root URL has no query or fragment (no '?' or '#')"
            )
        if not self.api_root.endswith("/"):
            object.__setattr__(self, "api_root", self.api_root + "/")

    @property
    def collection_url(self) -> str:
        return f"{self.api_root}collections/{self.collection}/"


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]
    data: Any


class TaxiiClient:
    """Talks to one collection of one API root. Raises ServerError (7) or AuthError (8)."""

    def __init__(self, connection: Connection, sleep: Callable[[float], None] = time.sleep) -> None:
        self.connection = connection
        self._sleep = sleep
        self._session = requests.Session()
        self._session.headers["Accept"] = TAXII_MEDIA_TYPE
        connection.credentials.apply(self._session)
        if connection.insecure:
            self._session.verify = False
        elif connection.ca_bundle is not None:
            if not connection.ca_bundle.is_file():
                raise ServerError(f"--ca-bundle {connection.ca_bundle}: no such file")
            self._session.verify = str(connection.ca_bundle)

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> TaxiiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- TAXII endpoints -------------------------------------------------------------

    def document(self, url: str) -> dict[str, Any]:
        """GET any TAXII resource by URL (a discovery document, an API root) as a JSON object."""
        return _mapping(self._request("GET", url).data, "TAXII")

    def api_root_information(self) -> dict[str, Any]:
        return _mapping(self._request("GET", self.connection.api_root).data, "API root")

    def collection_information(self) -> dict[str, Any]:
        return _mapping(self._request("GET", self.connection.collection_url).data, "collection")

    def add_objects(self, body: bytes) -> Response:
        """POST one envelope; a 413 comes back as a Response so the caller can split."""
        return self._request(
            "POST",
            self.connection.collection_url + "objects/",
            body=body,
            accept_statuses=(413,),
        )

    def status(self, status_id: str) -> dict[str, Any]:
        url = f"{self.connection.api_root}status/{status_id}/"
        return _mapping(self._request("GET", url).data, "status")

    def get_objects(self, params: Mapping[str, str]) -> Response:
        """One page of objects; a 400 comes back so an expired cursor can be resumed."""
        return self._request(
            "GET",
            self.connection.collection_url + "objects/",
            params=params,
            accept_statuses=(400,),
        )

    # -- transport -------------------------------------------------------------------

    def _request(
        self,
        method: str,
        url: str,
        *,
        body: bytes | None = None,
        params: Mapping[str, str] | None = None,
        accept_statuses: tuple[int, ...] = (),
    ) -> Response:
        policy = self.connection.retry
        headers = {"Content-Type": TAXII_MEDIA_TYPE} if body is not None else {}
        problem = ""
        retry_after: str | None = None
        for attempt in range(policy.attempts):
            if attempt:
                self._sleep(policy.wait(attempt - 1, retry_after))
            retry_after = None
            try:
                with warnings.catch_warnings():
                    # --insecure already warned once; not once per request.
                    warnings.simplefilter("ignore", urllib3.exceptions.InsecureRequestWarning)
                    reply = self._session.request(
                        method,
                        url,
                        data=body,
                        params=dict(params) if params else None,
                        headers=headers,
                        timeout=policy.timeout_seconds,
                        # Per request: a session's own verify loses to REQUESTS_CA_BUNDLE /
                        # CURL_CA_BUNDLE in requests, which would silently drop --ca-bundle.
                        verify=self._session.verify,
                    )
            except requests.exceptions.SSLError as error:
                raise ServerError(
                    f"{method} {url}: TLS verification failed ({_reason(error)}); "
                    "pass --ca-bundle for a private CA"
                ) from None
            except (requests.ConnectionError, requests.Timeout) as error:
                problem = f"cannot connect ({_reason(error)})"
                continue
            except (requests.RequestException, urllib3.exceptions.HTTPError) as error:
                # Not retried (unusable host name, redirect loop, broken answer); the type alone
                # is named because some of these messages quote request headers.
                failure = type(error).__name__
                raise ServerError(f"{method} {url}: request failed ({failure})") from None
            if reply.status_code in _RETRY_STATUSES:
                problem = f"HTTP {reply.status_code}{_server_says(reply)}"
                retry_after = reply.headers.get("Retry-After")
                continue
            return self._answer(method, url, reply, accept_statuses)
        raise ServerError(
            f"{method} {url}: {problem} after {policy.attempts} attempt"
            f"{'s' if policy.attempts != 1 else ''}"
        )

    def _answer(
        self, method: str, url: str, reply: requests.Response, accept: tuple[int, ...]
    ) -> Response:
        if reply.status_code in (401, 403):
            anonymous = self.connection.credentials == Credentials()
            who = "request without credentials" if anonymous else "credentials"
            raise AuthError(
                f"{method} {url}: HTTP {reply.status_code}: the server refused the {who}"
                f"{_server_says(reply)}; check --user/--password or --token"
            )
        if reply.status_code in accept:
            return Response(reply.status_code, reply.headers, None)
        if reply.status_code == 404:
            raise ServerError(
                f"{method} {url}: HTTP 404: no such API root or collection{_server_says(reply)}"
            )
        if not 200 <= reply.status_code < 300:
            raise ServerError(f"{method} {url}: HTTP {reply.status_code}{_server_says(reply)}")
        content = reply.content
        if len(content) > _MAX_RESPONSE_BYTES:
            raise ServerError(f"{method} {url}: answer of {len(content)} bytes is too large")
        try:
            data = parse_json(content, source=f"{method} {url}") if content else {}
        except StixMtacError as error:
            raise ServerError(f"answer is not TAXII JSON: {error.message}") from None
        return Response(reply.status_code, reply.headers, data)


def _mapping(data: Any, what: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ServerError(f"the server's {what} resource is not a JSON object")
    return data


def _reason(error: Exception) -> str:
    # requests nests urllib3 errors; the innermost reason is the readable one.
    reason: BaseException = error
    while reason.args and isinstance(reason.args[0], BaseException):
        reason = reason.args[0]
    inner = getattr(reason, "reason", None)
    text = str(inner if inner is not None else reason)
    return text.splitlines()[0][:200] if text else type(error).__name__


def _server_says(reply: requests.Response) -> str:
    """The server's TAXII error title/description, if it sent one, kept to one short line."""
    try:
        data = reply.json()
    except ValueError:
        return ""
    if not isinstance(data, dict):
        return ""
    text = " ".join(str(data[key]) for key in ("title", "description") if data.get(key))
    text = " ".join(text.split())[:200]
    return f" ({text})" if text else ""
