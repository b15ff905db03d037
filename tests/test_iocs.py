"""IOCs as reports write them: refang rules, value checks, occurrence in quotes, the finder."""

from __future__ import annotations

import ipaddress
import string

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from stix_mtac.iocs import KINDS, find_iocs, occurs_in, refang, validate_ioc

# --- refang: each documented rule, written as reports write it ---------------------------------


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("hxxp://evil.example/a", "http://evil.example/a"),
        ("hXXps://evil.example", "https://evil.example"),
        ("hxtp://evil.example", "http://evil.example"),
        ("fxp://files.example", "ftp://files.example"),
        ("evil[.]example", "evil.example"),
        ("evil(.)example", "evil.example"),
        ("evil{.}example", "evil.example"),
        ("evil[dot]example", "evil.example"),
        ("evil(dot)example", "evil.example"),
        ("evil[ . ]example", "evil.example"),
        ("evil [.] example", "evil.example"),
        ("evil\\.example", "evil.example"),
        ("192.0.2[.]1", "192.0.2.1"),
        ("192[.]0[.]2[.]1", "192.0.2.1"),
        ("http[:]//evil.example", "http://evil.example"),
        ("hxxp[://]evil.example", "http://evil.example"),
        ("http:[//]evil.example", "http://evil.example"),
        ("http://evil.example[/]a", "http://evil.example/a"),
        ("user[at]evil.example", "user@evil.example"),
        ("user(at)evil.example", "user@evil.example"),
        ("user[@]evil.example", "user@evil.example"),
        ("user [at] evil [dot] example", "user@evil.example"),
        ("hxxp[:]//f/<script>", "http://f/<script>"),
    ],
)
def test_refang_undoes_each_documented_defang(written: str, value: str) -> None:
    assert refang(written) == value


@pytest.mark.parametrize(
    "prose",
    [
        "The actors met at noon.",
        "Mr. Smith arrived at 10:30.",
        "hxxp is how reports write http",
    ],
)
def test_refang_leaves_plain_prose_alone(prose: str) -> None:
    assert refang(prose) == prose


@given(st.text(alphabet=string.printable + "[](){}", max_size=200))
@settings(max_examples=300)
def test_refang_is_idempotent(text: str) -> None:
    once = refang(text)
    assert refang(once) == once


@given(st.text(alphabet=string.ascii_letters + string.digits + " ,;-", max_size=200))
def test_refang_changes_nothing_without_defang_markers(text: str) -> None:
    # no brackets, no dots, no colons, no "hxxp": nothing to undo
    assume("xxp" not in text.lower() and "xtp" not in text.lower() and "fxp" not in text.lower())
    assert refang(text) == text


# --- validate_ioc --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("ipv4-addr", "192.0.2.1"),
        ("ipv4-addr", "198.51.100.0/24"),
        ("ipv6-addr", "2001:db8::1"),
        ("ipv6-addr", "2001:db8::/32"),
        ("domain-name", "example.com"),
        ("domain-name", "sub.example.co.uk"),
        ("domain-name", "bücher.example"),
        ("domain-name", "xn--bcher-kva.example"),
        ("url", "http://example.com/a?b=c#d"),
        ("url", "https://192.0.2.1:8443/x"),
        ("url", "http://[2001:db8::1]/x"),
        ("email-addr", "first.last+tag@example.org"),
        ("file:MD5", "78564702783ba738aa6a920f3b15a202"),
        ("file:SHA-1", "a75fa74ae35ce20c9cfc273c219ef58f1c4714a6"),
        ("file:SHA-256", "d637b9a4477778a2e32a22027a86d783e1511e999993aad7dca9b7b1b62250b8"),
        ("file:SHA-512", "ab" * 64),
        ("file:SSDEEP", "48:kNrdNC1BS67PQZLh9pVn3tE4ONF0qny/W:ktdcVM7n3mNCqny/W"),
    ],
)
def test_valid_values_pass(kind: str, value: str) -> None:
    assert validate_ioc(kind, value) is None


@pytest.mark.parametrize(
    ("kind", "value", "words"),
    [
        ("ipv4-addr", "256.1.1.1", "not an IPv4 address"),
        ("ipv4-addr", "192.0.2", "not an IPv4 address"),
        ("ipv4-addr", "192.0.2.5/24", "host bits set"),
        ("ipv4-addr", "2001:db8::1", "declare it as ipv6-addr"),
        ("ipv6-addr", "192.0.2.1", "declare it as ipv4-addr"),
        ("ipv6-addr", "2001:db8:::1", "not an IPv6 address"),
        ("domain-name", "localhost", "single label"),
        ("domain-name", "bad_label.example", "letters, digits and inner hyphens"),
        ("domain-name", "-bad.example", "letters, digits and inner hyphens"),
        ("domain-name", "a..example", "empty label"),
        ("domain-name", ("a" * 64) + ".example", "longer than 63"),
        ("domain-name", "192.0.2.1", "numeric label"),
        ("url", "example.com/a", "no scheme"),
        ("url", "javascript://alert(1)", "scheme"),
        ("url", "http://f/", "single label"),
        ("url", "http://example.com:99999/", "port"),
        ("email-addr", "no-at-sign.example", "local-part@domain"),
        ("email-addr", "a b@example.com", "white space"),
        ("file:MD5", "78564702783ba738aa6a920f3b15a20", "32 hex digits; this one has 31"),
        ("file:SHA-256", "a75fa74ae35ce20c9cfc273c219ef58f1c4714a6", "length of file:SHA-1"),
        ("file:SHA-1", "z" * 40, "not hexadecimal"),
        ("file:SSDEEP", "7:abc:def", "block size 7"),
        ("file:SSDEEP", "abc", "not an ssdeep hash"),
        ("autonomous-system", "AS1", "unknown observable kind"),
        ("ipv4-addr", " 192.0.2.1", "white space around"),
    ],
)
def test_invalid_values_say_why_in_plain_words(kind: str, value: str, words: str) -> None:
    problem = validate_ioc(kind, value)
    assert problem is not None and words in problem
    assert "\n" not in problem and "regex" not in problem and "(?" not in problem


@given(st.ip_addresses(v=4))
def test_every_ipv4_address_is_valid_and_no_v6_address_is(address: ipaddress.IPv4Address) -> None:
    assert validate_ioc("ipv4-addr", str(address)) is None
    assert validate_ioc("ipv6-addr", str(address)) is not None


@given(st.ip_addresses(v=6))
def test_every_ipv6_address_is_valid(address: ipaddress.IPv6Address) -> None:
    assert validate_ioc("ipv6-addr", str(address)) is None


@given(st.text(max_size=80), st.sampled_from(KINDS))
@settings(max_examples=500)
def test_validation_never_raises_on_any_text(value: str, kind: str) -> None:
    result = validate_ioc(kind, value)
    assert result is None or isinstance(result, str)


@given(st.binary(min_size=16, max_size=64))
def test_hashes_validate_by_length(digest: bytes) -> None:
    value = digest.hex()
    expected = {32: "file:MD5", 40: "file:SHA-1", 64: "file:SHA-256", 128: "file:SHA-512"}
    for length, kind in expected.items():
        assert (validate_ioc(kind, value) is None) == (len(value) == length)


# --- occurs_in -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "quote", "expected"),
    [
        ("192.0.2.1", "The actors used 192.0.2[.]1 for C2.", True),
        ("192.0.2.1", "The actors used 192.0.2.1.", True),
        ("192.0.2.1", "The actors used 192.0.2.10.", False),
        ("192.0.2.1", "The actors used 1192.0.2.1.", False),
        ("192.0.2[.]1", "seen at 192.0.2.1", True),  # the value may be written defanged too
        ("example.com", "beacons to EXAMPLE[.]COM daily", True),
        ("example.com", "beacons to www.example.com", False),
        ("example.com", "beacons to example.com.evil.net", False),
        ("http://example.com/Path", "downloads hxxp://example[.]com/Path", True),
        ("http://example.com/Path", "downloads hxxp://example[.]com/path", False),
        ("user@example.com", "mail from user[at]example[.]com", True),
        ("D637B9A4", "hash d637b9a4 seen", True),
        ("", "anything", False),
    ],
)
def test_occurs_in(value: str, quote: str, expected: bool) -> None:
    assert occurs_in(value, quote) is expected


@given(st.ip_addresses(v=4), st.sampled_from(["[.]", "(.)", "[dot]", "."]))
def test_an_address_occurs_in_its_own_defanged_quote(
    address: ipaddress.IPv4Address, dot: str
) -> None:
    written = str(address).replace(".", dot)
    assert occurs_in(str(address), f"The C2 server was {written}, the report says.")


# --- find_iocs -----------------------------------------------------------------------------


def test_finder_finds_defanged_and_plain_indicators_with_their_written_form() -> None:
    text = (
        "C2 at 192.0.2[.]10 and 198.51.100.7; payload hxxps://bad[.]example[.]com/a.exe. "
        "Mail from ops[at]bad-mail[.]example. SHA256 "
        "d637b9a4477778a2e32a22027a86d783e1511e999993aad7dca9b7b1b62250b8 and MD5 "
        "78564702783ba738aa6a920f3b15a202; also 2001:db8::5 and evil-domain[.]net."
    )
    found = {(item.kind, item.value, item.written) for item in find_iocs(text)}
    assert found == {
        ("ipv4-addr", "192.0.2.10", "192.0.2[.]10"),
        ("ipv4-addr", "198.51.100.7", "198.51.100.7"),
        ("url", "https://bad.example.com/a.exe", "hxxps://bad[.]example[.]com/a.exe"),
        ("email-addr", "ops@bad-mail.example", "ops[at]bad-mail[.]example"),
        (
            "file:SHA-256",
            "d637b9a4477778a2e32a22027a86d783e1511e999993aad7dca9b7b1b62250b8",
            "d637b9a4477778a2e32a22027a86d783e1511e999993aad7dca9b7b1b62250b8",
        ),
        ("file:MD5", "78564702783ba738aa6a920f3b15a202", "78564702783ba738aa6a920f3b15a202"),
        ("ipv6-addr", "2001:db8::5", "2001:db8::5"),
        ("domain-name", "evil-domain.net", "evil-domain[.]net"),
    }


def test_finder_skips_file_names_versions_and_bad_values() -> None:
    text = (
        "The file about.html (v1.2) was 3202 bytes; see MAR-1.v1.stix. Ratio 1:100:200, 999.1.1.1."
    )
    assert find_iocs(text) == []


def test_found_spans_point_at_the_written_form() -> None:
    text = "x hxxp://a[.]example/b y 10.0.0[.]1 z"
    for item in find_iocs(text):
        assert text[item.start : item.end] == item.written


@given(
    st.lists(st.ip_addresses(v=4), min_size=1, max_size=5),
    st.sampled_from(["[.]", "."]),
)
def test_finder_finds_every_listed_address(
    addresses: list[ipaddress.IPv4Address], dot: str
) -> None:
    lines = "\n".join(str(address).replace(".", dot) for address in addresses)
    found = {item.value for item in find_iocs(f"IPs ({len(addresses)})\n{lines}\n")}
    assert found == {str(address) for address in addresses}


@given(st.text(max_size=300))
@settings(max_examples=300)
def test_finder_never_raises_and_every_finding_is_valid(text: str) -> None:
    for item in find_iocs(text):
        assert validate_ioc(item.kind, item.value) is None
        assert text[item.start : item.end] == item.written
