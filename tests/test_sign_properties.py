"""Property tests: no mutation that changes a signed bundle's content verifies; sign/verify
round trips for arbitrary bundles and keys; canonical-form properties the signature rests on.

Expectations come from the standard library, not from the code under test: whether a mutated
file still means the same JSON is decided by ``json.loads`` and a type-aware comparison.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from test_sign_support import GOLDEN, GOLDEN_BUNDLE, beside, signed_layout

from stix_mtac.canonical import canonical_bytes, pretty_bytes
from stix_mtac.errors import StixMtacError
from stix_mtac.signing import sign_bundle_file, verify_bundle_file
from stix_mtac.signing.keyring import add_key
from stix_mtac.signing.keys import public_jwk

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ORIGINAL = GOLDEN_BUNDLE.read_bytes()
ORIGINAL_DATA = json.loads(ORIGINAL)
TOKEN = (GOLDEN / "fixture.json.jws").read_bytes()


def same_json(a: Any, b: Any) -> bool:
    """JSON equality: numbers by value (70 == 70.0), but true is not 1 and "1" is not 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_json(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def strict_stdlib_parse(data: bytes) -> Any:
    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        if len({key for key, _ in pairs}) != len(pairs):
            raise ValueError("duplicate key")
        return dict(pairs)

    def no_constants(name: str) -> Any:
        raise ValueError(name)

    return json.loads(
        data.decode("utf-8"), object_pairs_hook=no_duplicates, parse_constant=no_constants
    )


def means_the_original(data: bytes) -> bool:
    try:
        return same_json(strict_stdlib_parse(data), ORIGINAL_DATA)
    except (ValueError, RecursionError):
        return False


def verifies(bundle: Path, *, tolerant: bool) -> bool:
    try:
        verify_bundle_file(bundle, beside(bundle), tolerant=tolerant)
    except StixMtacError:
        return False
    return True


@contextmanager
def layout() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as directory:
        yield signed_layout(Path(directory))


edits = st.lists(
    st.tuples(
        st.sampled_from(["replace", "insert", "delete"]),
        st.integers(min_value=0, max_value=len(ORIGINAL) - 1),
        st.integers(min_value=0, max_value=255) | st.sampled_from(list(b' \t\r\n{}[]",:0e.-\\u')),
    ),
    min_size=1,
    max_size=4,
)


def apply(data: bytes, operations: list[tuple[str, int, int]]) -> bytes:
    out = bytearray(data)
    for operation, position, byte in operations:
        position = min(position, len(out) - 1)
        if operation == "replace":
            out[position] = byte
        elif operation == "insert":
            out.insert(position, byte)
        elif len(out) > 1:
            del out[position]
    return bytes(out)


@SETTINGS
@given(edits)
@example([("insert", 1, ord(" "))])  # whitespace only: same content, verifies when tolerant
@example([("replace", 30, ord("X"))])  # inside the bundle id: never verifies
def test_byte_edits_verify_exactly_when_the_content_is_unchanged(
    operations: list[tuple[str, int, int]],
) -> None:
    mutated = apply(ORIGINAL, operations)
    with layout() as bundle:
        bundle.write_bytes(mutated)
        assert verifies(bundle, tolerant=True) == means_the_original(mutated)
        assert verifies(bundle, tolerant=False) == (mutated == ORIGINAL)


json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53 - 1), max_value=2**53 - 1)
    | st.text(max_size=8)
)


def paths_in(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths_in(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths_in(item, (*prefix, index))
    return found


ALL_PATHS = paths_in(ORIGINAL_DATA)[1:]


@SETTINGS
@given(st.sampled_from(ALL_PATHS), json_scalars | st.lists(json_scalars, max_size=2))
def test_any_changed_value_fails_even_tolerant_and_pretty(path: tuple[Any, ...], new: Any) -> None:
    data = json.loads(ORIGINAL)
    parent = data
    for step in path[:-1]:
        parent = parent[step]
    old = parent[path[-1]]
    parent[path[-1]] = new
    with layout() as bundle:
        bundle.write_bytes(pretty_bytes(data))
        assert verifies(bundle, tolerant=True) == same_json(old, new)


@SETTINGS
@given(st.integers(min_value=0, max_value=len(TOKEN) - 1), st.integers(min_value=0, max_value=255))
def test_no_byte_substitution_in_the_token_verifies(position: int, byte: int) -> None:
    token = bytearray(TOKEN)
    if token[position] == byte:
        return
    token[position] = byte
    with layout() as bundle:
        (bundle.parent / "fixture.json.jws").write_bytes(bytes(token))
        assert not verifies(bundle, tolerant=True)


stix_strings = st.text(st.characters(exclude_categories=["Cs"]), max_size=20)
properties = st.dictionaries(
    st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=10).filter(
        lambda key: key not in {"type", "id", "spec_version"}
    ),
    stix_strings
    | st.integers(-(2**53 - 1), 2**53 - 1)
    | st.booleans()
    | st.lists(stix_strings, max_size=3),
    max_size=5,
)


@st.composite
def bundles(draw: st.DrawFn) -> dict[str, Any]:
    objects = [
        {**props, "type": "x-test", "id": f"x-test--{index:08d}-0000-4000-8000-000000000000"}
        for index, props in enumerate(draw(st.lists(properties, max_size=4)))
    ]
    return {
        "type": "bundle",
        "id": "bundle--00000000-0000-4000-8000-000000000000",
        "objects": objects,
    }


@settings(max_examples=60, deadline=None)
@given(bundles(), st.binary(min_size=32, max_size=32), st.sampled_from([None, 1, 3]), st.booleans())
def test_sign_verify_round_trip_survives_reserialisation(
    bundle: dict[str, Any], seed: bytes, indent: int | None, ascii_only: bool
) -> None:
    key = Ed25519PrivateKey.from_private_bytes(seed)
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        path = root / "b.json"
        path.write_bytes(pretty_bytes(bundle))
        private = root / "k.pem"
        private.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        private.chmod(0o600)
        add_key(root / "keys" / "jwks.json", public_jwk(key.public_key()))
        sign_bundle_file(path, private)
        assert verify_bundle_file(path, beside(path)).bundle == bundle
        path.write_text(json.dumps(bundle, indent=indent, ensure_ascii=ascii_only))
        assert (
            verify_bundle_file(path, beside(path), tolerant=True).kid
            == public_jwk(key.public_key())["kid"]
        )


bmp_keys = st.text(st.characters(max_codepoint=0xD7FF), max_size=6)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53 - 1), 2**53 - 1) | stix_strings,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(bmp_keys, inner, max_size=4),
    max_leaves=20,
)


@SETTINGS
@given(json_values)
def test_canonical_form_is_sorted_compact_stdlib_json_and_idempotent(value: Any) -> None:
    canonical = canonical_bytes(value)
    expected = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert canonical == expected.encode("utf-8")
    assert canonical_bytes(json.loads(canonical)) == canonical
    assert canonical_bytes(json.loads(pretty_bytes(value))) == canonical


@SETTINGS
@given(json_values.filter(lambda value: isinstance(value, dict)), st.randoms())
def test_canonical_form_ignores_key_order(value: dict[str, Any], random: Any) -> None:
    items = list(value.items())
    random.shuffle(items)
    assert canonical_bytes(dict(items)) == canonical_bytes(value)
