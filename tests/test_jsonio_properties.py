"""Property tests for the strict JSON reader: it reads what standard JSON writers produce,
measures strings and depth the way it documents, and always refuses what it promises to."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stix_mtac.errors import InputError
from stix_mtac.jsonio import JsonLimits, parse_json

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(json_values, st.booleans())
def test_reads_back_what_json_writes(value: Any, ascii_only: bool) -> None:
    data = json.dumps(value, ensure_ascii=ascii_only).encode("utf-8")
    assert parse_json(data, "v.json") == value


@given(st.text(), st.booleans())
def test_string_limit_counts_characters_of_keys_and_values(text: str, as_key: bool) -> None:
    value = {text: 1} if as_key else {"k": [text]}
    data = json.dumps(value, ensure_ascii=False).encode("utf-8")
    limit = max(len(text), 1)
    assert parse_json(data, "s.json", JsonLimits(max_string=limit)) == value
    if len(text) > 1:
        # a plain key follows a dot, any other is a JSON string in brackets (README)
        plain = re.fullmatch(r"[A-Za-z0-9_\-]+", text) is not None
        key = f".{text}" if plain else f"[{json.dumps(text)}]"
        where = re.escape(f"${key} (a key)") if as_key else r"\$\.k\[0\]"
        with pytest.raises(InputError, match=rf"^s\.json: {where}: string of {len(text)} char"):
            parse_json(data, "s.json", JsonLimits(max_string=len(text) - 1))


@settings(max_examples=50)
@given(st.integers(min_value=1, max_value=80), st.integers(min_value=1, max_value=80))
def test_depth_limit_is_exact_and_ignores_brackets_in_strings(depth: int, limit: int) -> None:
    data = ("[" * depth + '"[[[[{{{{"' + "]" * depth).encode()
    if depth <= limit:
        assert parse_json(data, "d.json", JsonLimits(max_depth=limit)) is not None
    else:
        with pytest.raises(InputError, match=f"deeper than {limit} levels"):
            parse_json(data, "d.json", JsonLimits(max_depth=limit))


@given(st.dictionaries(st.text(), scalars, min_size=1, max_size=5), st.data())
def test_duplicate_keys_are_always_refused(value: dict[str, Any], data: st.DataObject) -> None:
    key = data.draw(st.sampled_from(sorted(value)))
    text = json.dumps(value)[:-1] + ", " + json.dumps(key) + ": 1}"
    with pytest.raises(InputError, match="duplicate key"):
        parse_json(text.encode(), "k.json")


@given(json_values)
def test_byte_order_mark_is_always_refused(value: Any) -> None:
    with pytest.raises(InputError, match="byte-order mark"):
        parse_json(b"\xef\xbb\xbf" + json.dumps(value).encode(), "b.json")


@given(st.sampled_from(["NaN", "Infinity", "-Infinity"]), json_values)
def test_non_finite_numbers_are_always_refused(constant: str, value: Any) -> None:
    text = json.dumps([value, 0]).replace("0]", constant + "]")
    with pytest.raises(InputError, match="not valid JSON"):
        parse_json(text.encode(), "n.json")


@given(st.binary(min_size=1, max_size=64))
def test_arbitrary_bytes_parse_or_raise_input_error_only(data: bytes) -> None:
    try:
        parse_json(data, "x.json")
    except InputError as error:
        assert error.message.startswith("x.json: ")
        assert "\n" not in error.message
