"""The fast encoders give the reference encoders' bytes exactly (rfc8785 for RFC 8785, json for
the pretty form), for plain data and for the values that must take the reference path."""

from __future__ import annotations

import json
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from stix_mtac.canonical import canonical_bytes, is_plain, pretty_bytes

_text = st.text(
    alphabet=st.characters(codec="utf-8") | st.sampled_from(["\x00", "\x1f", "\x7f", "\u2028"]),
    max_size=8,
)
_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**53) + 1, 2**53 - 1)
    | _text
    | st.sampled_from([0, -1, 2**53 - 1])
)
# keys outside the Basic Multilingual Plane sort differently in RFC 8785: not plain
_bmp_keys = st.text(
    alphabet=st.characters(max_codepoint=0xFFFF, exclude_categories=["Cs"]), max_size=6
)
plain = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_bmp_keys, inner, max_size=4),
    max_leaves=20,
)
anything = st.recursive(
    _scalars | st.floats(allow_nan=False, allow_infinity=False) | st.integers(),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(_text | st.sampled_from(["\U0001f600", "\uffff"]), inner, max_size=4)
    ),
    max_leaves=20,
)


def reference_canonical(value: Any) -> bytes | type[Exception]:
    try:
        return bytes(rfc8785.dumps(value))
    except rfc8785.CanonicalizationError:
        return rfc8785.CanonicalizationError


def reference_pretty(value: Any) -> bytes:
    text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False)
    return (text + "\n").encode("utf-8")


@settings(max_examples=300)
@given(plain)
def test_plain_data_takes_the_fast_path_and_gives_the_same_bytes(value: Any) -> None:
    assert is_plain(value)
    assert canonical_bytes(value) == reference_canonical(value)
    assert pretty_bytes(value) == reference_pretty(value)


@settings(max_examples=300)
@given(anything)
def test_any_data_gives_the_reference_bytes(value: Any) -> None:
    expected = reference_canonical(value)
    if expected is rfc8785.CanonicalizationError:
        with pytest.raises(rfc8785.CanonicalizationError):
            canonical_bytes(value)
    else:
        assert canonical_bytes(value) == expected
    assert pretty_bytes(value) == reference_pretty(value)


@pytest.mark.parametrize(
    "value",
    [
        {"\U0001f600": 1, "\uffff": 2},  # RFC 8785 sorts by UTF-16 code units
        {"a": 1.0, "b": 1e21, "c": 0.1},  # ECMAScript number text
        {"n": 2**53},  # beyond the interoperable integers: refused by RFC 8785
        ["\ud800"],  # a lone surrogate: refused
    ],
)
def test_values_outside_the_fast_path(value: Any) -> None:
    assert not is_plain(value) or value == ["\ud800"]
    expected = reference_canonical(value)
    if expected is rfc8785.CanonicalizationError:
        with pytest.raises(rfc8785.CanonicalizationError):
            canonical_bytes(value)
    else:
        assert canonical_bytes(value) == expected
