"""The TAXII 2.1 HTTP client: requests, authentication, TLS, retries, timeouts, a deadline.

Only this module imports ``requests``; everything above it sees typed results and
``StixMtacError`` subclasses. Secrets live in ``Credentials`` and go only into request
headers: never into messages, ``repr`` or logs (every text quoted from a server is redacted).

The transport is bounded in every direction: each request has a connect and a read timeout,
the whole client has an overall deadline (a server that trickles one byte a second cannot
hold it longer), answers are read in pieces up to a size limit, 429/5xx answers and
connections lost before or during an answer are retried a bounded number of times (waiting
as ``Retry-After`` asks, within the deadline), and a redirect is followed only to the same
scheme, host and port: credentials never follow a redirect to another host.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from requests.auth import HTTPBasicAuth

from stix_mtac.errors import AuthError, ServerError, StixMtacError
from stix_mtac.jsonio import parse_json
from stix_mtac.printable import printable
from stix_mtac.redaction import basic_credential, redact, remember

TAXII_MEDIA_TYPE = "application/taxii+json;version=2.1"
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_MAX_REDIRECTS = 5
# Bounded: a TAXII answer is JSON metadata or a page of objects, never hundreds of MiB.
_MAX_RESPONSE_BYTES = 256 * 1024 * 1024
# An error answer is read only for its title and description.
_MAX_ERROR_BYTES = 64 * 1024
_READ_PIECE = 256 * 1024


def token_problem(token: str) -> str | None:
    """Why ``token`` cannot go into an Authorization header, or None. Never quotes the token."""
    if not token.isascii() or not token.isprintable() or any(c.isspace() for c in token):
        # requests would refuse the header with the token in its message.
        return (
            "contains whitespace, a control character or a non-ASCII character (a trailing "
            "newline from a file?); the value is not shown"
        )
    return None


def _raw_bytes(text: str) -> bytes:
    # UTF-8, as RFC 7617 recommends; characters that came from undecodable bytes (a
    # non-UTF-8 argument or environment value) go back out as exactly those bytes.
    return text.encode("utf-8", "surrogateescape")


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
        remember(*(secret for secret in (self.password, self.token) if secret))
        if self.user is not None and self.password:
            remember(basic_credential(_raw_bytes(self.user), _raw_bytes(self.password)))

    def apply(self, session: requests.Session) -> None:
        if self.token:
            session.headers["Authorization"] = f"Bearer {self.token}"
        elif self.user is not None:
            # medallion (flask-httpauth) decodes UTF-8 first; requests alone sends Latin-1
            # and crashes on any other character.
            session.auth = HTTPBasicAuth(_raw_bytes(self.user), _raw_bytes(self.password or ""))


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry 429, 5xx and lost connections, and the time limits.

    ``timeout_seconds`` bounds each wait for the server (connecting: ``connect_seconds``);
    ``deadline_seconds`` bounds the whole client, retries, waits and status polls included
    (None: no overall limit).
    """

    attempts: int = 4
    backoff_seconds: float = 0.5
    max_wait_seconds: float = 8.0
    timeout_seconds: float = 30.0
    connect_seconds: float = 10.0
    deadline_seconds: float | None = 1800.0
    # A longer Retry-After is not waited out (nor retried early): the request fails.
    max_retry_after_seconds: float = 300.0

    def wait(self, attempt: int, retry_after: str | None) -> float:
        """Seconds before retry number ``attempt + 1``: what ``Retry-After`` asks (seconds or
        an HTTP date), else exponential backoff capped at ``max_wait_seconds``."""
        asked = retry_after_seconds(retry_after)
        if asked is not None:
            return asked
        return min(self.backoff_seconds * 2.0**attempt, self.max_wait_seconds)


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """A ``Retry-After`` header (RFC 9110: delay-seconds or an HTTP-date) in seconds."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


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


@dataclass(frozen=True)
class _Reply:
    """An answer read in full (within the limits): status, headers and body."""

    status: int
    headers: Mapping[str, str]
    content: bytes


class _Retry(Exception):
    """A failure worth another attempt: 429, 5xx, a connection lost or timed out."""

    def __init__(self, problem: str, retry_after: str | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.retry_after = retry_after


class TaxiiClient:
    """Talks to one collection of one API root. Raises ServerError (7) or AuthError (8)."""

    def __init__(
        self,
        connection: Connection,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.connection = connection
        self._sleep = sleep
        self._clock = clock
        limit = connection.retry.deadline_seconds
        self._deadline = clock() + limit if limit else None
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

    # -- the overall deadline --------------------------------------------------------

    def remaining(self) -> float | None:
        """Seconds left before the deadline (None: no deadline)."""
        return None if self._deadline is None else self._deadline - self._clock()

    def pause(self, seconds: float, doing: str) -> None:
        """Sleep ``seconds``, or raise ServerError if that would pass the deadline."""
        left = self.remaining()
        if left is not None and seconds >= left:
            raise self._past_deadline(doing)
        self._sleep(seconds)

    def _past_deadline(self, doing: str) -> ServerError:
        limit = self.connection.retry.deadline_seconds
        return ServerError(
            f"{doing}: the overall deadline of {limit:g} s passed (raise it with --deadline)"
        )

    # -- TAXII endpoints -------------------------------------------------------------

    def document(self, url: str) -> dict[str, Any]:
        """GET any TAXII resource by URL (a discovery document, an API root) as a JSON object."""
        return _mapping(self._request("GET", url).data, "TAXII")

    def api_root_information(self) -> dict[str, Any]:
        return _mapping(self._request("GET", self.connection.api_root).data, "API root")

    def collection_information(self) -> dict[str, Any]:
        return _mapping(self._request("GET", self.connection.collection_url).data, "collection")

    def add_objects(self, body: bytes) -> Response:
        """POST one envelope; a 413 comes back as a Response so the caller can split.

        Retrying a POST is safe: TAXII stores one copy per id and version, and the publisher
        counts a second copy of the same content as already present.
        """
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
        problem = ""
        retry_after: str | None = None
        for attempt in range(policy.attempts):
            if attempt:
                wait = policy.wait(attempt - 1, retry_after)
                if wait > policy.max_retry_after_seconds:
                    raise ServerError(
                        f"{method} {url}: {problem}; the server asks to retry after {wait:g} s, "
                        f"longer than the {policy.max_retry_after_seconds:g} s waited at most"
                    )
                left = self.remaining()
                if left is not None and wait >= left:
                    raise ServerError(
                        f"{method} {url}: {problem}; the next attempt (in {wait:g} s) would "
                        f"pass the overall deadline of {policy.deadline_seconds:g} s"
                    )
                self._sleep(wait)
            try:
                reply = self._exchange(method, url, body, params)
            except _Retry as retry:
                problem, retry_after = retry.problem, retry.retry_after
                continue
            return self._answer(method, url, reply, accept_statuses)
        raise ServerError(
            f"{method} {url}: {problem} after {policy.attempts} attempt"
            f"{'s' if policy.attempts != 1 else ''}"
        )

    def _exchange(
        self, method: str, url: str, body: bytes | None, params: Mapping[str, str] | None
    ) -> _Reply:
        """One request and its whole answer, following same-origin redirects only."""
        headers = {"Content-Type": TAXII_MEDIA_TYPE} if body is not None else {}
        query = dict(params) if params else None
        for _ in range(_MAX_REDIRECTS + 1):
            reply = self._send_once(method, url, body, query, headers)
            location = reply.headers.get("Location")
            if reply.status not in _REDIRECT_STATUSES or not location:
                return reply
            target = urljoin(url, location)
            if _origin(target) != _origin(url):
                raise ServerError(
                    f"{method} {url}: HTTP {reply.status} redirects to another host "
                    f"({printable(redact(_origin_text(target)))}); not followed, so the "
                    "credentials are never sent there (use that URL as --url if you trust it)"
                )
            url, query = target, None  # the Location carries its own query
        raise ServerError(f"{method} {url}: more than {_MAX_REDIRECTS} redirects")

    def _send_once(
        self,
        method: str,
        url: str,
        body: bytes | None,
        params: Mapping[str, str] | None,
        headers: Mapping[str, str],
    ) -> _Reply:
        policy = self.connection.retry
        left = self.remaining()
        if left is not None and left <= 0:
            raise self._past_deadline(f"{method} {url}")
        read = policy.timeout_seconds if left is None else min(policy.timeout_seconds, left)
        connect = policy.connect_seconds if left is None else min(policy.connect_seconds, left)
        try:
            with warnings.catch_warnings():
                # --insecure already warned once; not once per request.
                warnings.simplefilter("ignore", urllib3.exceptions.InsecureRequestWarning)
                reply = self._session.request(
                    method,
                    url,
                    data=body,
                    params=params,
                    headers=dict(headers),
                    timeout=(connect, read),
                    allow_redirects=False,
                    stream=True,
                    # Per request: a session's own verify loses to REQUESTS_CA_BUNDLE /
                    # CURL_CA_BUNDLE in requests, which would silently drop --ca-bundle.
                    verify=self._session.verify,
                )
        except requests.exceptions.SSLError as error:
            raise ServerError(
                f"{method} {url}: TLS verification failed ({_reason(error)}); "
                "pass --ca-bundle for a private CA"
            ) from None
        except requests.exceptions.ConnectTimeout:
            raise _Retry(f"cannot connect (no answer within {connect:g} s)") from None
        except requests.exceptions.ReadTimeout:
            raise _Retry(f"no answer within {read:g} s") from None
        except requests.ConnectionError as error:
            raise _Retry(f"cannot connect ({_reason(error)})") from None
        except (requests.RequestException, urllib3.exceptions.HTTPError) as error:
            # Not retried (unusable host name, broken answer); the type alone is named
            # because some of these messages quote request headers.
            raise ServerError(f"{method} {url}: request failed ({type(error).__name__})") from None
        with reply:
            limit = _MAX_ERROR_BYTES if reply.status_code >= 300 else _MAX_RESPONSE_BYTES
            content = self._read_body(method, url, reply, limit)
        answer = _Reply(reply.status_code, reply.headers, content)
        if answer.status in _RETRY_STATUSES:
            raise _Retry(
                f"HTTP {answer.status}{self._server_says(answer)}",
                answer.headers.get("Retry-After"),
            )
        return answer

    def _read_body(self, method: str, url: str, reply: requests.Response, limit: int) -> bytes:
        """The answer's body, read in pieces so the deadline and the size limit hold even
        against a server that sends a byte at a time or never stops."""
        pieces: list[bytes] = []
        size = 0
        try:
            while True:
                piece = reply.raw.read1(_READ_PIECE, decode_content=True)
                if not piece:
                    break
                size += len(piece)
                if size > limit:
                    if reply.status_code >= 300:
                        break  # an error text: its beginning is enough
                    raise ServerError(
                        f"{method} {url}: the answer exceeds {limit} bytes; not read further"
                    )
                pieces.append(piece)
                left = self.remaining()
                if left is not None and left <= 0:
                    raise self._past_deadline(f"{method} {url}: reading the answer")
        except (urllib3.exceptions.HTTPError, requests.RequestException, OSError) as error:
            if isinstance(error, urllib3.exceptions.ReadTimeoutError):
                raise _Retry("the answer stopped arriving (read timeout)") from None
            raise _Retry(f"connection lost mid-answer ({type(error).__name__})") from None
        return b"".join(pieces)

    def _answer(self, method: str, url: str, reply: _Reply, accept: tuple[int, ...]) -> Response:
        if reply.status in (401, 403):
            anonymous = self.connection.credentials == Credentials()
            who = "request without credentials" if anonymous else "credentials"
            raise AuthError(
                f"{method} {url}: HTTP {reply.status}: the server refused the {who}"
                f"{self._server_says(reply)}; check --user/--password or --token"
            )
        if reply.status in accept:
            return Response(reply.status, reply.headers, None)
        if reply.status == 404:
            raise ServerError(
                f"{method} {url}: HTTP 404: no such API root or collection"
                f"{self._server_says(reply)}"
            )
        if not 200 <= reply.status < 300:
            raise ServerError(f"{method} {url}: HTTP {reply.status}{self._server_says(reply)}")
        try:
            data = parse_json(reply.content, source=f"{method} {url}") if reply.content else {}
        except StixMtacError as error:
            raise ServerError(f"answer is not TAXII JSON: {error.message}") from None
        return Response(reply.status, reply.headers, data)

    def _server_says(self, reply: _Reply) -> str:
        """The server's TAXII error title/description, if it sent one: one short line, with
        secrets redacted (a careless server may quote the Authorization header back) and
        control characters escaped."""
        try:
            data = parse_json(reply.content, source="error answer") if reply.content else None
        except StixMtacError:
            return ""
        if not isinstance(data, dict):
            return ""
        text = " ".join(str(data[key]) for key in ("title", "description") if data.get(key))
        text = printable(redact(" ".join(text.split())))[:200]
        return f" ({text})" if text else ""


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = -1
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port or default


def _origin_text(url: str) -> str:
    scheme, host, port = _origin(url)
    return f"{scheme}://{host}:{port}"


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
    text = text.splitlines()[0][:200] if text else type(error).__name__
    return printable(redact(text))
