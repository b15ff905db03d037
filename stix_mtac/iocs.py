"""Indicators of compromise as reports write them: refanging, validation, finding.

Reports *defang* indicators so that nobody clicks them and no tool links them:
``hxxp://evil[.]example/x``, ``192.0.2[.]1``, ``user[at]example[.]com``. A facts file keeps the
report's sentence verbatim (the quote) and gives each observable its real value; this module
turns the written form into the value (``refang``), checks the value has the syntax its STIX
type requires (``validate_ioc``), checks that the value occurs in its quote, defanged or not
(``occurs_in``), and finds every indicator in a text for ``stix-mtac draft`` (``find_iocs``).

Refang rules (applied together, case-insensitively; documented in docs/iocs.md):

==================================================  ==========
written                                             becomes
==================================================  ==========
``hxxp`` ``hXXp`` ``hxxps`` ``hxtp`` ``hxxxp``     ``http`` / ``https``
``fxp`` ``fxps``                                    ``ftp`` / ``ftps``
``[.]`` ``(.)`` ``{.}`` ``[dot]`` ``(dot)``         ``.``
``{dot}`` ``[ . ]`` and ``\\.``
``[:]`` ``(:)`` ``[:]//`` ``[://]`` ``:[//]``       ``:`` / ``://``
``[/]``                                             ``/``
``[at]`` ``(at)`` ``{at}`` ``[@]`` ``(@)``          ``@``
==================================================  ==========

White space inside the brackets is ignored (``[ dot ]``), and so is white space around a
bracketed dot or at-sign (``example [.] com``), which some reports add to break the link.
Anything else is left as written: a plain ``example.com`` stays a domain, and ``.`` or ``at``
without brackets are never changed (they are ordinary prose).

Everything here is a pure function of its input: no I/O, no network, no clock.
"""

from __future__ import annotations

import bisect
import ipaddress
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import idna

# Observable kinds, spelled as facts files spell them: STIX SCO types, and file hashes as
# ``file:<STIX hash algorithm name>``.
HASH_LENGTHS: Mapping[str, int] = {
    "file:MD5": 32,
    "file:SHA-1": 40,
    "file:SHA-256": 64,
    "file:SHA-512": 128,
}
KINDS: tuple[str, ...] = (
    "ipv4-addr",
    "ipv6-addr",
    "domain-name",
    "url",
    "email-addr",
    *HASH_LENGTHS,
    "file:SSDEEP",
)

# Schemes a URL indicator may have; others are almost always a parsing accident.
URL_SCHEMES = frozenset({"http", "https", "ftp", "ftps", "sftp", "ws", "wss", "smb", "file"})

# Bracketed separators (with optional white space inside the brackets).
_OPEN, _CLOSE = r"[\[\(\{]\s*", r"\s*[\]\)\}]"
_DOT = rf"(?:{_OPEN}(?:\.|dot){_CLOSE}|\\\.)"
_AT = rf"(?:{_OPEN}(?:@|at){_CLOSE})"
_COLON = rf"(?:{_OPEN}:{_CLOSE})"
_SLASH = rf"(?:{_OPEN}/{_CLOSE})"

_REFANG_RULES: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"\bh(?:xx|tx|xt|xxx)p(s?)(?=\s*(?::|[\[\(\{]\s*:))", re.IGNORECASE), r"http\1"),
    (re.compile(r"\bfxp(s?)(?=\s*(?::|[\[\(\{]\s*:))", re.IGNORECASE), r"ftp\1"),
    (re.compile(rf"{_OPEN}://{_CLOSE}"), "://"),
    (re.compile(rf":{_OPEN}//{_CLOSE}"), "://"),
    (re.compile(_COLON), ":"),
    (re.compile(_SLASH), "/"),
    (re.compile(rf"\s*{_DOT}\s*", re.IGNORECASE), "."),
    (re.compile(rf"\s*{_AT}\s*", re.IGNORECASE), "@"),
)


def refang(text: str) -> str:
    """Undo the usual defanging (rules in the module docstring); idempotent."""
    for pattern, replacement in _REFANG_RULES:
        text = pattern.sub(replacement, text)
    return text


# ---------------------------------------------------------------------------------------------
# Validation: one plain sentence per problem, or None.

_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_HEX = re.compile(r"^[0-9a-fA-F]+$")
_SSDEEP = re.compile(r"^(\d+):([0-9A-Za-z/+]+):([0-9A-Za-z/+]+)(?:,\"?[^\"]*\"?)?$")
_LOCAL_PART = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")


def validate_ioc(kind: str, value: str) -> str | None:
    """Check ``value`` has the syntax of an observable of ``kind``; the problem or None."""
    check = _CHECKS.get(kind)
    if check is None:
        return f"unknown observable kind {kind!r} (one of: {', '.join(KINDS)})"
    if value != value.strip() or not value:
        return "the value is empty or has white space around it"
    if any(character.isspace() for character in value) and kind != "file:SSDEEP":
        return "the value contains white space"
    return check(value)


def _check_ip(version: int) -> Callable[[str], str | None]:
    name = f"IPv{version}"

    def check(value: str) -> str | None:
        try:
            network = ipaddress.ip_network(value, strict=True)
        except ValueError as exc:
            reason = str(exc)
            if "has host bits set" in reason:
                return f"{value!r} is not a CIDR block: the address part has host bits set"
            return f"{value!r} is not an {name} address or CIDR block"
        if network.version != version:
            other = "ipv6-addr" if network.version == 6 else "ipv4-addr"
            return f"{value!r} is an IPv{network.version} address; declare it as {other}"
        return None

    return check


def _domain_problem(value: str) -> str | None:
    """Why ``value`` is not a fully qualified DNS name (IDNA 2008 for non-ASCII labels)."""
    name = value[:-1] if value.endswith(".") else value
    if not name:
        return "a domain name cannot be empty"
    try:
        ascii_name = name if name.isascii() else idna.encode(name, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        return f"{value!r} is not a valid internationalised domain name ({exc})"
    labels = ascii_name.lower().split(".")
    if len(labels) < 2:
        return f"{value!r} has a single label; a domain name needs at least two (example.com)"
    if len(ascii_name) > 253:
        return f"{value!r} is longer than the 253 characters DNS allows"
    for label in labels:
        if not label:
            return f"{value!r} has an empty label (two dots in a row?)"
        if len(label) > 63:
            return f"{value!r} has a label longer than 63 characters"
        if not _LABEL.match(label):
            return (
                f"{value!r} has the label {label!r}; labels are letters, digits and inner "
                "hyphens only"
            )
    if labels[-1].isdigit():
        return f"{value!r} ends in a numeric label; is it an IP address?"
    return None


def _check_domain(value: str) -> str | None:
    return _domain_problem(value)


def _check_url(value: str) -> str | None:
    scheme, separator, rest = value.partition("://")
    if not separator:
        return f"{value!r} is not a URL (no scheme://)"
    if scheme.lower() not in URL_SCHEMES:
        return f"{value!r} has the scheme {scheme!r} (one of: {', '.join(sorted(URL_SCHEMES))})"
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
    host = authority.rpartition("@")[2]
    if host.startswith("["):
        literal, _, port = host[1:].partition("]")
        try:
            ipaddress.IPv6Address(literal)
        except ValueError:
            return f"{value!r} has the host [{literal}], which is not an IPv6 address"
        return _port_problem(value, port.removeprefix(":")) if port else None
    host, _, port = host.partition(":")
    if port and (problem := _port_problem(value, port)):
        return problem
    if not host:
        return f"{value!r} has no host"
    if re.fullmatch(r"[\d.]+", host):
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            return f"{value!r} has the host {host!r}, which is not an IPv4 address"
        return None
    problem = _domain_problem(host)
    return f"{value!r} has a bad host: {problem}" if problem else None


def _port_problem(value: str, port: str) -> str | None:
    if not port.isdigit() or not 0 < int(port) < 65536:
        return f"{value!r} has the port {port!r}, which is not a number from 1 to 65535"
    return None


def _check_email(value: str) -> str | None:
    local, at, domain = value.rpartition("@")
    if not at or not local:
        return f"{value!r} is not an email address (local-part@domain)"
    if len(local) > 64 or not _LOCAL_PART.match(local):
        return f"{value!r} has the local part {local!r}, which an address cannot have"
    problem = _domain_problem(domain)
    return f"{value!r} has a bad domain: {problem}" if problem else None


def _check_hash(kind: str) -> Callable[[str], str | None]:
    length = HASH_LENGTHS[kind]
    algorithm = kind.removeprefix("file:")

    def check(value: str) -> str | None:
        if not _HEX.match(value):
            return f"{value!r} is not hexadecimal, as a {algorithm} hash is"
        if len(value) != length:
            guess = [name for name, size in HASH_LENGTHS.items() if size == len(value)]
            hint = f" (that is the length of {guess[0]})" if guess else ""
            return f"a {algorithm} hash has {length} hex digits; this one has {len(value)}{hint}"
        return None

    return check


def _check_ssdeep(value: str) -> str | None:
    match = _SSDEEP.match(value)
    if match is None:
        return f"{value!r} is not an ssdeep hash (blocksize:hash:hash)"
    block = int(match.group(1))
    if block < 3 or block % 3 or (block // 3) & (block // 3 - 1):
        return f"{value!r} has the block size {block}; ssdeep block sizes are 3 times a power of 2"
    return None


_CHECKS: Mapping[str, Callable[[str], str | None]] = {
    "ipv4-addr": _check_ip(4),
    "ipv6-addr": _check_ip(6),
    "domain-name": _check_domain,
    "url": _check_url,
    "email-addr": _check_email,
    **{kind: _check_hash(kind) for kind in HASH_LENGTHS},
    "file:SSDEEP": _check_ssdeep,
}

# Kinds whose values compare without regard to case (DNS, hex digits, mailbox domains).
_CASELESS = frozenset({"domain-name", "email-addr", *HASH_LENGTHS, "ipv6-addr"})


# ---------------------------------------------------------------------------------------------
# Occurrence of a value in its quote.


def occurs_in(value: str, quote: str) -> bool:
    """Whether the refanged ``value`` occurs in ``quote`` as written or refanged, as a whole
    token: ``1.2.3.4`` occurs in ``seen at 1.2.3[.]4.`` but not in ``11.2.3.45``. URLs with a
    path compare exactly; everything else compares without regard to case."""
    value = refang(value)
    if not value:
        return False
    caseless = "/" not in value.partition("://")[2]
    for text in (quote, refang(quote)):
        haystack, needle = (text.casefold(), value.casefold()) if caseless else (text, value)
        start = haystack.find(needle)
        while start != -1:
            if _bounded(haystack, start, start + len(needle)):
                return True
            start = haystack.find(needle, start + 1)
    return False


def _bounded(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is a whole token: not part of a longer address, name or hash."""
    before = text[start - 1] if start else ""
    before_prev = text[start - 2] if start >= 2 else ""
    after = text[end] if end < len(text) else ""
    after_next = text[end + 1] if end + 1 < len(text) else ""
    if before.isalnum() or (before and before in "_-@"):
        return False
    if before == "." and before_prev.isalnum():  # sub.example.com, 11.1.2.3.4
        return False
    if after.isalnum() or (after and after in "_-@"):
        return False
    return not (after == "." and after_next.isalnum())  # 1.2.3.4 inside 1.2.3.45


# ---------------------------------------------------------------------------------------------
# Finding indicators in text (for `stix-mtac draft`).


@dataclass(frozen=True)
class Found:
    """An indicator found in a text: its kind, refanged value, position and written form."""

    kind: str
    value: str
    start: int
    end: int
    written: str

    @property
    def defanged(self) -> bool:
        return self.written != self.value


_SEP_DOT = rf"(?:\.|\s?{_DOT}\s?)"
_LABEL_TEXT = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_DOMAIN_TEXT = rf"{_LABEL_TEXT}(?:{_SEP_DOT}{_LABEL_TEXT})*{_SEP_DOT}[A-Za-z]{{2,63}}"
_SCHEME_TEXT = r"(?:h(?:tt|xx|tx|xt|xxx)ps?|f(?:t|x)ps?|sftp|wss?|smb)"
_SCHEME_SEP = rf"(?:://|{_OPEN}://{_CLOSE}|:{_OPEN}//{_CLOSE}|{_COLON}//)"
_URL_BODY = rf"(?:[^\s<>\"'`\[\]\(\)\{{\}}]|{_DOT}|{_COLON}|{_SLASH}|\([^\s()]*\))+"

# Order matters: earlier kinds claim their span first (a domain inside a URL is not reported
# again as a domain).
_FINDERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("url", re.compile(rf"\b{_SCHEME_TEXT}{_SCHEME_SEP}{_URL_BODY}", re.IGNORECASE)),
    (
        "email-addr",
        re.compile(
            rf"(?<![\w.%+-])[A-Za-z0-9._%+-]+(?:@|\s?{_AT}\s?){_DOMAIN_TEXT}\b", re.IGNORECASE
        ),
    ),
    (
        "file:SSDEEP",
        re.compile(r"(?<![\w/+:])\d{1,10}:[0-9A-Za-z/+]{3,}:[0-9A-Za-z/+]{3,}(?![\w/+])"),
    ),
    ("hash", re.compile(r"(?<![0-9A-Za-z])[0-9A-Fa-f]{32,128}(?![0-9A-Za-z])")),
    (
        "ipv4-addr",
        re.compile(rf"(?<![\w.])\d{{1,3}}(?:{_SEP_DOT}\d{{1,3}}){{3}}(?:/\d{{1,2}})?(?![\w])"),
    ),
    (
        "ipv6-addr",
        re.compile(r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?:/\d{1,3})?(?![\w:])"),
    ),
    (
        "domain-name",
        re.compile(rf"(?<![\w@.\-\]\)\}}]){_DOMAIN_TEXT}(?![\w-]|{_SEP_DOT}\w)", re.IGNORECASE),
    ),
)

# Plain (not defanged) "domains" that are really file names or prose: file-name endings that
# are not worth reporting as domains unless the report defanged them. Data, not logic.
FILE_NAME_ENDINGS = frozenset(
    {
        "aspx", "asp", "bat", "bin", "cgi", "cmd", "conf", "csv", "dat", "dll", "doc", "docx",
        "exe", "gif", "gz", "htm", "html", "ini", "jar", "jpeg", "jpg", "js", "json", "jsp",
        "lnk", "log", "md", "msi", "pdf", "php", "pl", "pm", "png", "ppt", "pptx", "ps1", "py",
        "rar", "rtf", "sh", "stix", "svg", "sys", "tar", "tmp", "txt", "vbs", "xls", "xlsx",
        "xml", "yar", "yara", "yaml", "yml", "zip", "current", "rollback", "v1", "v2",
    }
)  # fmt: skip

_TRAILING = ".,;:!?'\""
_HASH_BY_LENGTH = {length: kind for kind, length in HASH_LENGTHS.items()}


def find_iocs(text: str) -> list[Found]:
    """Every valid indicator in ``text``, in order of position, each once per position."""
    claimed = _Spans()
    found: list[Found] = []
    for finder_kind, pattern in _FINDERS:
        for match in pattern.finditer(text):
            start, end = match.span()
            written = match.group(0)
            if finder_kind == "url":
                written = _trim_url(written)
                end = start + len(written)
            if claimed.overlaps(start, end):
                continue
            kind = finder_kind
            value = refang(written)
            if kind == "hash":
                kind = _HASH_BY_LENGTH.get(len(value), "")
                if not kind:
                    continue
                value = value.lower()
            elif kind == "ipv6-addr" and not any(character.isalnum() for character in value):
                continue  # a bare "::" in prose or code
            elif kind == "domain-name":
                value = value.lower()
                if value == written.lower() and value.rsplit(".", 1)[-1] in FILE_NAME_ENDINGS:
                    continue
            if validate_ioc(kind, value) is not None:
                continue
            claimed.add(start, end)
            found.append(Found(kind=kind, value=value, start=start, end=end, written=written))
    return sorted(found, key=lambda item: (item.start, item.kind))


class _Spans:
    """Non-overlapping spans, kept sorted, so each overlap test is a binary search."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def overlaps(self, start: int, end: int) -> bool:
        index = bisect.bisect_left(self.starts, end)  # spans starting before `end`
        return index > 0 and self.ends[index - 1] > start

    def add(self, start: int, end: int) -> None:
        index = bisect.bisect_left(self.starts, start)
        self.starts.insert(index, start)
        self.ends.insert(index, end)


def _trim_url(written: str) -> str:
    """Drop sentence punctuation and an unbalanced closing bracket from a URL's end."""
    while written and (
        written[-1] in _TRAILING or (written[-1] == ")" and written.count("(") < written.count(")"))
    ):
        written = written[:-1]
    return written
