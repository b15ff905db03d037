"""stix2-validator's MUST and SHOULD checks for STIX 2.1 domain, relationship and meta objects,
re-implemented for the fast engine (same conditions, same codes; our own wording).

Cyber-observable data (SCOs, observed-data with ``objects``), ``cpe`` and nested STIX objects
are not covered here: ``fast.py`` sends those objects to the reference checks. The checks are
written in the shape of the originals on purpose, so that malformed values fail the same way
(an exception here is reported as C199, as the reference engine reports its crashes).
The vocabularies are stix2-validator's own data (``enums.py``, loaded as a plain file).
"""

from __future__ import annotations

import importlib.util
import re
import uuid
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from types import ModuleType
from typing import Any

from stix_mtac.validate.conformance_codes import MUST_CODES, SHOULD_NAMES
from stix_mtac.validate.fast_patterns import pattern_problems
from stix_mtac.validate.schemas import package_dir

# (code, message, is_must): what a check reports; the engine adds object, path and severity.
Hit = tuple[str, str, bool]
Check = Callable[[Mapping[str, Any]], Iterator[Hit]]

TIMESTAMP_RE = re.compile(
    r"^[0-9]{4}-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):"
    r"([0-5][0-9]):([0-5][0-9]|60)(\.[0-9]+)?Z$"
)
SELECTOR_INDEX_RE = re.compile(r"\[(\d+)\]")
SOURCE_TYPE_RE = re.compile(r"(.+)--")


def _load_enums() -> ModuleType:
    """stix2-validator's vocabulary module, run as a file (no package import)."""
    path = package_dir() / "v21" / "enums.py"
    spec = importlib.util.spec_from_file_location("_stix_mtac_stix2validator_enums", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ENUMS: Any = _load_enums()
# Vocabulary checks in stix2-validator's order: (enum prefix, SHOULD code).
VOCABS: tuple[tuple[str, str], ...] = (
    ("ATTACK_MOTIVATION", "211"),
    ("ATTACK_RESOURCE_LEVEL", "212"),
    ("GROUPING_CONTEXT", "225"),
    ("IMPLEMENTATION_LANGUAGES", "226"),
    ("INFRASTRUCTURE_TYPE", "227"),
    ("MALWARE_CAPABILITIES", "228"),
    ("MALWARE_RESULT", "231"),
    ("PROCESSOR_ARCHITECTURE", "230"),
    ("IDENTITY_CLASS", "213"),
    ("INDICATOR_TYPE", "214"),
    ("INDUSTRY_SECTOR", "215"),
    ("MALWARE_TYPE", "216"),
    ("INDICATOR_PATTERN", "245"),
    ("REPORT_TYPE", "218"),
    ("THREAT_ACTOR_TYPE", "219"),
    ("THREAT_ACTOR_ROLE", "220"),
    ("THREAT_ACTOR_SOPHISTICATION", "221"),
    ("TOOL_TYPE", "222"),
    ("REGION", "223"),
)
_VOCAB_SETS: dict[str, frozenset[Any]] = {
    name: frozenset(getattr(ENUMS, name + "_OV")) for name, _ in VOCABS
}
_LANG_CODES = frozenset(ENUMS.LANG_CODES)
_COUNTRY_CODES = frozenset(ENUMS.COUNTRY_CODES)


def member(value: Any, allowed: frozenset[Any]) -> bool:
    """``value in allowed`` with list semantics (stix2-validator's vocabularies are lists)."""
    try:
        return value in allowed
    except TypeError:  # unhashable: equal to no string of the list
        return False


def must(name: str, message: str) -> Hit:
    return (MUST_CODES[name][0], message, True)


def should(code: str, message: str) -> Hit:
    assert code in SHOULD_NAMES
    return (code, message, False)


# MUSTs ---------------------------------------------------------------------------------


def _valid_datetime(value: str) -> str | None:
    """Why a timestamp that matches the format is not a real date/time, or None."""
    try:
        datetime(
            int(value[0:4]), int(value[5:7]), int(value[8:10]),
            int(value[11:13]), int(value[14:16]), int(value[17:19]),
        )  # fmt: skip
    except ValueError as error:
        return str(error)
    return None


def timestamp(obj: Mapping[str, Any]) -> Iterator[Hit]:
    props = ["created", "modified", *ENUMS.TIMESTAMP_PROPERTIES.get(obj["type"], [])]
    for prop in props:
        if prop in obj and TIMESTAMP_RE.match(obj[prop]):
            problem = _valid_datetime(obj[prop])
            if problem:
                yield must("timestamp", f"{prop} {obj[prop]!r} is not a real time: {problem}")


def _as_datetime(value: str) -> datetime | str:
    for pattern in ("%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%SZ"):
        try:
            return datetime.strptime(value, pattern)
        except ValueError:
            continue
    return value


def _holds(first: Any, op: str, second: Any) -> bool:
    if TIMESTAMP_RE.match(first) and TIMESTAMP_RE.match(second):
        left, right = _as_datetime(first), _as_datetime(second)
        if isinstance(left, datetime) and isinstance(right, datetime):
            return left >= right if op == "ge" else left > right
    return bool(first >= second if op == "ge" else first > second)


def timestamp_compare(obj: Mapping[str, Any]) -> Iterator[Hit]:
    compares = [("modified", "ge", "created"), *ENUMS.TIMESTAMP_COMPARE.get(obj["type"], [])]
    for first, op, second in compares:
        if first in obj and second in obj and not _holds(obj[first], op, obj[second]):
            relation = "later than or equal to" if op == "ge" else "later than"
            if op not in ("ge", "gt"):
                raise ValueError(f"unknown comparison {op}")
            yield must(
                "timestamp_compare",
                f"{first} ({obj[first]}) must be {relation} {second} ({obj[second]})",
            )


def object_marking_circular_refs(obj: Mapping[str, Any]) -> Iterator[Hit]:
    if obj["type"] != "marking-definition" or "object_marking_refs" not in obj:
        return
    for ref in obj["object_marking_refs"]:
        if ref == obj["id"]:
            yield must(
                "object_marking_circular_refs",
                "a marking definition must not mark itself in object_marking_refs",
            )


def granular_markings_circular_refs(obj: Mapping[str, Any]) -> Iterator[Hit]:
    if obj["type"] != "marking-definition" or "granular_markings" not in obj:
        return
    for marking in obj["granular_markings"]:
        if "marking_ref" in marking and marking["marking_ref"] == obj["id"]:
            yield must(
                "granular_markings_circular_refs",
                "a marking definition must not mark itself in granular_markings",
            )


def marking_selector_syntax(obj: Mapping[str, Any]) -> Iterator[Hit]:
    if "granular_markings" not in obj:
        return
    for marking in obj["granular_markings"]:
        if "selectors" not in marking:
            continue
        for selector in marking["selectors"]:
            node: Any = obj
            previous = None
            for segment in selector.split("."):
                index = SELECTOR_INDEX_RE.match(segment)
                if index:
                    position = int(index.group(1))
                    try:
                        node = node[position]
                    except IndexError:
                        yield must(
                            "marking_selector_syntax",
                            f"selector {selector!r}: {position} is not a valid index",
                        )
                    except KeyError:
                        yield must(
                            "marking_selector_syntax",
                            f"selector {selector!r}: {previous!r} is not a list",
                        )
                else:
                    try:
                        node = node[segment]
                    except KeyError:
                        yield must(
                            "marking_selector_syntax",
                            f"selector {selector!r}: {segment!r} is not a property",
                        )
                    except TypeError:
                        yield must(
                            "marking_selector_syntax",
                            f"selector {selector!r}: {segment!r} is not a property",
                        )
                previous = segment


def language(obj: Mapping[str, Any]) -> Iterator[Hit]:
    if "lang" in obj and not member(obj["lang"], _LANG_CODES):
        yield must("language", f"lang {obj['lang']!r} is not an RFC 5646 language code")


def patterns(obj: Mapping[str, Any]) -> Iterator[Hit]:
    if (
        obj["type"] != "indicator"
        or obj.get("pattern_type", "") != "stix"
        or not isinstance(obj.get("pattern"), str)
    ):
        return
    version = obj.get("pattern_version", obj.get("spec_version", "2.1"))
    for problem in pattern_problems(obj["pattern"], version, ENUMS):
        yield must("patterns", problem)


MUSTS: tuple[Check, ...] = (
    timestamp,
    timestamp_compare,
    object_marking_circular_refs,
    granular_markings_circular_refs,
    marking_selector_syntax,
    language,
    patterns,
)

# SHOULDs -------------------------------------------------------------------------------


def uuid_check(obj: Mapping[str, Any]) -> Iterator[Hit]:
    if "id" not in obj:
        return
    try:
        version = uuid.UUID(obj["id"].split("--")[-1]).version
    except ValueError:
        return  # the schema reports a malformed id
    if version != 4:
        yield should("103", f"id {obj['id']} is not a UUIDv4")


def open_vocab_values(obj: Mapping[str, Any]) -> Iterator[Hit]:
    if obj["type"] not in ENUMS.VOCAB_PROPERTIES:
        return
    for prop in ENUMS.VOCAB_PROPERTIES[obj["type"]]:
        if prop not in obj:
            continue
        value = obj[prop]
        if type(value) is dict:
            return
        for item in value if type(value) is list else [value]:
            if not item.islower() or "_" in item or " " in item:
                yield should(
                    "111", f"open vocabulary value {item!r}: use lowercase words and hyphens"
                )


def kill_chain_phase_names(obj: Mapping[str, Any]) -> Iterator[Hit]:
    if obj["type"] not in ENUMS.KILL_CHAIN_PHASE_USES or "kill_chain_phases" not in obj:
        return
    for phase in obj["kill_chain_phases"]:
        if "kill_chain_name" not in phase:
            return
        for key in ("kill_chain_name", "phase_name"):
            value = phase[key]
            if not value.islower() or "_" in value or " " in value:
                yield should("121", f"{key} {value!r}: use lowercase words and hyphens")


def vocabularies(obj: Mapping[str, Any]) -> Iterator[Hit]:
    for vocab, code in VOCABS:
        uses = getattr(ENUMS, vocab + "_USES")
        for prop in uses.get(obj["type"], ()):
            if prop not in obj:
                continue
            value = obj[prop]
            allowed = _VOCAB_SETS[vocab]
            inside = set(value) <= allowed if type(value) is list else member(value, allowed)
            if not inside:
                name = vocab.replace("_", "-").lower()
                yield should(code, f"{prop}: a value is not in the {name}-ov vocabulary")


def marking_definition_type(obj: Mapping[str, Any]) -> Iterator[Hit]:
    if (
        obj["type"] == "marking-definition"
        and "definition_type" in obj
        and obj["definition_type"] not in ENUMS.MARKING_DEFINITION_TYPES
    ):
        yield should("201", "definition_type should be one of the spec's marking types")


def relationship_types(obj: Mapping[str, Any]) -> Iterator[Hit]:
    if obj["type"] != "relationship":
        return
    if any(key not in obj for key in ("relationship_type", "source_ref", "target_ref")):
        return
    kind = obj["relationship_type"]
    try:
        source = SOURCE_TYPE_RE.search(obj["source_ref"]).group(1)  # type: ignore[union-attr]
        target = SOURCE_TYPE_RE.search(obj["target_ref"]).group(1)  # type: ignore[union-attr]
    except (AttributeError, TypeError):
        return
    if kind in ENUMS.COMMON_RELATIONSHIPS or source in ENUMS.NON_SDOS or target in ENUMS.NON_SDOS:
        return
    suggested = ENUMS.RELATIONSHIPS
    if source not in suggested:
        yield should("202", f"{source!r} is not a suggested source of {kind!r}")
    elif kind not in suggested[source]:
        yield should("202", f"{kind!r} is not a suggested relationship for {source!r}")
    elif target not in suggested[source][kind]:
        yield should("202", f"{target!r} is not a suggested target of {source!r} {kind!r}")


def countries(obj: Mapping[str, Any]) -> Iterator[Hit]:
    # stix2-validator reports this under 201 (marking-definition-type): kept for equality.
    if (
        obj["type"] == "location"
        and "country" in obj
        and obj["country"].upper() not in _COUNTRY_CODES
    ):
        yield should("201", "country should be an ISO 3166-1 alpha-2 code")


def extref_hashes(obj: Mapping[str, Any]) -> Iterator[Hit]:
    for reference in obj.get("external_references", ()):
        if "url" in reference and "hashes" not in reference:
            source = reference.get("source_name", "")
            yield should("302", f"external reference {source!r} has a url but no hashes")
            return


def indicator_properties(obj: Mapping[str, Any]) -> Iterator[Hit]:
    if obj["type"] == "indicator" and ("name" not in obj or "description" not in obj):
        yield should("303", "an indicator should have both name and description")


def deprecated_properties(obj: Mapping[str, Any]) -> Iterator[Hit]:
    for prop in ENUMS.DEPRECATED_PROPERTIES.get(obj["type"], ()):
        if prop in obj:
            yield should("304", f"property {prop!r} is deprecated")


def extension_definition(obj: Mapping[str, Any]) -> Iterator[Hit]:
    if obj["type"] != "extension-definition":
        return
    if "description" not in obj:
        yield should("305", "an extension definition should have a description")
    extension_types = obj.get("extension_types", [])
    if "toplevel-property-extension" in extension_types and "extension_properties" not in obj:
        yield should("306", "a toplevel-property-extension should list its properties")


def _uses_extension(obj: Mapping[str, Any], kinds: tuple[str, ...]) -> bool:
    for extension in obj.get("extensions", {}).values():
        if extension.get("extension_type", "") in kinds:
            return True
    return False


def extensions_use(obj: Mapping[str, Any]) -> Iterator[Hit]:
    kind = obj["type"]
    if (
        kind not in ENUMS.TYPES
        and kind not in ENUMS.RESERVED_OBJECTS
        and kind not in ENUMS.OBSERVABLE_TYPES
        and not _uses_extension(obj, ("new-sdo", "new-sco", "new-sro"))
    ):
        yield should("401", f"custom type {kind!r}: define it with a new-sdo/sco/sro extension")
    known = ENUMS.PROPERTIES.get(kind)
    for prop in obj:
        if (
            known is not None
            and prop not in known
            and prop not in ENUMS.RESERVED_PROPERTIES
            and not _uses_extension(obj, ("toplevel-property-extension",))
        ):
            yield should("401", f"custom property {prop!r}: define it with a property extension")
    if (
        kind == "marking-definition"
        and "extensions" not in obj
        and obj.get("definition_type") not in ("statement", "tlp")
    ):
        yield should("401", "a custom marking definition should use extensions")


SHOULDS: tuple[Check, ...] = (
    uuid_check,
    open_vocab_values,
    kill_chain_phase_names,
    marking_definition_type,
    relationship_types,
    vocabularies,
    countries,
    extref_hashes,
    indicator_properties,
    deprecated_properties,
    extension_definition,
    extensions_use,
)


def object_hits(obj: Mapping[str, Any]) -> list[Hit]:
    """Every MUST and SHOULD finding for one non-observable object."""
    hits: list[Hit] = []
    for check in MUSTS:
        hits.extend(check(obj))
    for check in SHOULDS:
        hits.extend(check(obj))
    return hits


def needs_reference(obj: Mapping[str, Any]) -> bool:
    """True for objects these checks do not cover (cyber-observable data, cpe, nested objects)."""
    kind = obj["type"]
    if kind in ENUMS.OBSERVABLE_TYPES or "cpe" in obj:
        return True
    if kind == "observed-data" and type(obj.get("objects")) is dict:
        return True
    for value in obj.values():
        if type(value) is list:
            for item in value:
                if isinstance(item, dict) and "id" in item and "type" in item:
                    return True
    return False
