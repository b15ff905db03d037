"""The fast engine reports what stix2-validator reports.

Equivalence (documented in README, Performance): for every bundle, the sets of
(object id, code, JSON path) of both engines' findings are equal; messages may differ, and a
finding repeated at the same place counts once (jsonschema and jsonschema-rs do not always
split one schema violation into the same number of errors).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stix_mtac.validate.conformance import conformance_findings
from stix_mtac.validate.findings import Finding

CORPUS = Path(__file__).parent / "corpus"
REALWORLD = Path(__file__).parent / "realworld"  # vendored, with licences
BUILT_IN = sorted((Path(__file__).parents[1] / "bundles").glob("*.json"))
assert REALWORLD.is_dir(), f"{REALWORLD}: the vendored real-world corpus is missing"
REAL_FILES = sorted(path for path in REALWORLD.rglob("*.json") if path.stat().st_size < 100_000)
FILES = BUILT_IN + sorted(CORPUS.rglob("*.json")) + REAL_FILES
GOOD: dict[str, Any] = json.loads((CORPUS / "good" / "full.json").read_text(encoding="utf-8"))


def places(findings: list[Finding]) -> set[tuple[str | None, str, str]]:
    return {(f.object_id, f.code, f.json_path) for f in findings}


def assert_same(bundle: dict[str, Any]) -> None:
    reference = places(conformance_findings(bundle, engine="reference"))
    fast = places(conformance_findings(bundle, engine="fast"))
    assert fast == reference, (
        f"only reference: {sorted(reference - fast, key=str)}\n"
        f"only fast: {sorted(fast - reference, key=str)}"
    )


def load_bundle(path: Path) -> dict[str, Any] | None:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return None
    return value if isinstance(value, dict) and value.get("type") == "bundle" else None


BUNDLES = [(path, bundle) for path in FILES if (bundle := load_bundle(path)) is not None]


def test_the_corpus_is_not_trivial() -> None:
    assert len(BUNDLES) >= 30
    real = [path for path, _ in BUNDLES if REALWORLD in path.parents]
    assert len(real) >= 40, f"only {len(real)} real-world bundles under {REALWORLD}"
    codes = {f.code for _, bundle in BUNDLES for f in conformance_findings(bundle)}
    # schema errors, MUSTs and SHOULDs all occur, so equality below is not equality of nothing
    assert {"C100", "103", "202"} <= codes


@pytest.mark.parametrize(
    "bundle", [b for _, b in BUNDLES], ids=[str(p.relative_to(p.parents[1])) for p, _ in BUNDLES]
)
def test_fast_equals_reference_on_corpus(bundle: dict[str, Any]) -> None:
    assert_same(bundle)


# Mutations: values that real mistakes produce, plus arbitrary JSON.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
timestamps = st.sampled_from(
    [
        "2023-02-30T00:00:00Z",
        "2023-13-01T00:00:00Z",
        "2023-04-31T10:00:00.000Z",
        "2024-02-29T23:59:60Z",
        "2001-01-01T00:00:00Z",
        "2099-12-31T23:59:59.999Z",
        "2023-09-07",
        "yesterday",
    ]
)
vocab_words = st.sampled_from(
    ["nation-state", "Nation State", "backdoor", "odd_value", "threat-report", "group", "x"]
)
patterns = st.sampled_from(
    [
        "[ipv4-addr:value = '198.51.100.1']",
        "[file:hashes.'SHA-256' = 'abc']",
        "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e'] OR [x-foo:Bad = 'a']",
        "[domain-name:value = 'a' AND url:value != 'b'] FOLLOWEDBY [mutex:name = 'm']",
        "[ipv4-addr:value = '1' ] WITHIN 5 SECONDS",
        "([file:name = 'a'] AND [file:size > 5]) REPEATS 2 TIMES",
        "[ab:true = 'x']",
        "ipv4-addr:value = '1'",
        "[file:name = 'a'",
        "[x:y = 'z']",
        "[network-traffic:dst_ref.value = '10.0.0.1']",
    ]
)
relationship_types = st.sampled_from(
    ["uses", "targets", "attributed-to", "eats", "Uses", "located-at"]
)
properties = st.sampled_from(
    [
        "created",
        "modified",
        "id",
        "type",
        "spec_version",
        "name",
        "labels",
        "lang",
        "confidence",
        "object_marking_refs",
        "granular_markings",
        "external_references",
        "kill_chain_phases",
        "x_custom",
        "customProperty",
        "relationship_type",
        "threat_actor_types",
        "pattern",
        "country",
        "region",
        "first_seen",
        "last_seen",
    ]
)


@st.composite
def mutated_bundles(draw: st.DrawFn) -> dict[str, Any]:
    bundle = copy.deepcopy(GOOD)
    objects = bundle["objects"]
    for _ in range(draw(st.integers(1, 3))):
        index = draw(st.integers(0, len(objects) - 1))
        obj = objects[index]
        if not isinstance(obj, dict):
            continue  # replaced by a non-object earlier
        prop = draw(properties)
        action = draw(
            st.sampled_from(["set", "delete", "timestamp", "vocab", "special", "dup", "entry"])
        )
        if action == "delete":
            obj.pop(prop, None)
        elif action == "timestamp":
            obj[draw(st.sampled_from(["created", "modified", "first_seen", "valid_from"]))] = draw(
                timestamps
            )
        elif action == "vocab":
            obj[draw(st.sampled_from(["threat_actor_types", "identity_class", "region"]))] = draw(
                st.lists(vocab_words, min_size=1, max_size=2) | vocab_words
            )
        elif action == "special":
            choice = draw(st.integers(0, 3))
            if choice == 0:
                kind = obj["type"] if isinstance(obj.get("type"), str) else "x"
                obj["id"] = f"{kind}--6ba7b810-9dad-11d1-80b4-00c04fd430c8"  # a UUIDv1
            elif choice == 1:
                objects[index] = {
                    "type": "indicator",
                    "spec_version": "2.1",
                    "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
                    "created": "2023-09-07T00:00:00.000Z",
                    "modified": "2023-09-07T00:00:00.000Z",
                    "pattern": draw(patterns),
                    "pattern_type": "stix",
                    "valid_from": "2023-09-07T00:00:00Z",
                }
            elif choice == 2 and obj.get("type") == "relationship":
                obj["relationship_type"] = draw(relationship_types)
            else:
                first = objects[0]  # an earlier mutation may have replaced it with any value
                obj["granular_markings"] = [
                    {
                        "marking_ref": first.get("id") if isinstance(first, dict) else first,
                        "selectors": [
                            draw(st.sampled_from(["name", "labels.[0]", "nope", "name.[1]"]))
                        ],
                    }
                ]
        elif action == "entry":
            objects[index] = draw(json_values)  # not a STIX object at all
        elif action == "dup":
            objects.append(copy.deepcopy(obj))
        else:
            obj[prop] = draw(json_values)
    return bundle


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutated_bundles())
def test_fast_equals_reference_on_mutated_bundles(bundle: dict[str, Any]) -> None:
    assert_same(bundle)
