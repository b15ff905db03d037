"""The shape of a facts file: ``data/facts.schema.json``, its errors in the format's words."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator, Mapping
from functools import cache
from importlib import resources
from typing import Any

import jsonschema_rs

from stix_mtac.build.facts.problems import Problems
from stix_mtac.build.facts.sections import sections
from stix_mtac.yamlload import KeyPath

DOCS = "docs/facts-format.md"
DATE_KEYS = frozenset({"published"})
_LIST_SECTIONS = frozenset({*sections(), "relationships", "facts", "sources", "corrections"})


@cache
def _schema() -> dict[str, Any]:
    text = resources.files("stix_mtac.data").joinpath("facts.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator() -> Any:
    return jsonschema_rs.validator_for(_schema())


def kind(value: Any) -> str:
    names = {dict: "a mapping", list: "a list", str: "a string", bool: "true/false"}
    if value is None:
        return "nothing"
    return names.get(type(value), type(value).__name__)


def check_shape(data: Any, problems: Problems) -> set[KeyPath]:
    """Report every shape error; return the entries they are in (``(section, index)``, or
    ``(key,)`` for the top-level mappings, or ``()`` for the document), for later checks to skip.
    """
    broken: set[KeyPath] = set()
    for error in _validator().iter_errors(data):
        path: KeyPath = tuple(error.instance_path)
        for error_path, message in _explain(error, path, data):
            problems.add(error_path, message)
        if not path:
            broken.add(())
        elif path[0] in _LIST_SECTIONS and len(path) >= 2:
            broken.add(path[:2])
        else:
            broken.add(path[:1])
    return broken


def _what(path: KeyPath) -> str:
    """``a malware entry``, ``the report``, ``the document``: where a key is, in words."""
    if not path:
        return "the document"
    if len(path) == 2 and isinstance(path[1], int):
        section = str(path[0])
        return f"an entry of `{section}`"
    return f"`{'.'.join(str(part) for part in path if not isinstance(part, int))}`"


def _anchor(path: KeyPath) -> str:
    if path and isinstance(path[0], str) and path[0] in sections():
        return f"{DOCS}#{path[0]}"
    if path and path[0] in ("report", "markings", "facts", "creator", "sources"):
        return f"{DOCS}#{path[0]}"
    return f"{DOCS}#top-level"


def _explain(error: Any, path: KeyPath, data: Any) -> Iterator[tuple[KeyPath, str]]:
    """Turn one JSON-schema error into messages a person editing YAML understands."""
    name = type(error.kind).__name__
    value = error.instance
    last = path[-1] if path else None
    if name in ("AdditionalProperties", "UnevaluatedProperties"):
        unexpected = getattr(error.kind, "unexpected", None) or _unexpected_from(error, value)
        known = sorted(_known_keys(path))
        for key in unexpected:
            near = difflib.get_close_matches(str(key), known, n=1)
            hint = f"did you mean `{near[0]}`? " if near else ""
            yield (
                (*path, key),
                f"`{key}` is not a key of {_what(path)} ({hint}see {_anchor(path)})",
            )
    elif name == "Required":
        yield path, f"{_what(path)} needs `{error.kind.property}`"
    elif name == "Pattern" and last in DATE_KEYS:
        yield path, f"{value!r} is not a date (YYYY-MM-DD)"
    elif name == "Pattern" and isinstance(value, str) and _is_timestamp_schema(error):
        yield path, f"{value!r} is not a UTC timestamp (YYYY-MM-DDTHH:MM:SS[.ssssss]Z)"
    elif name == "Pattern" and last == "key":
        yield path, f"{value!r} is not a key (lower case letters, digits, '.' and '-')"
    elif name == "Pattern" and last == "id":
        yield path, f"{value!r} is not a fact id (a capital letter, then letters and digits)"
    elif name == "Pattern" and isinstance(value, str) and "/" not in value and _wants_ref(error):
        yield path, f"{value!r} is not a reference to an object (`type/key`)"
    elif name == "Pattern" and isinstance(value, str) and _is_marking_schema(error):
        yield path, f"{value!r} is not a marking (tlp2:<level>, tlp1:<level> or statement/<key>)"
    elif name == "Pattern" and last == "url":
        yield path, f"{value!r} is not an https URL"
    elif name == "Pattern" and last == "cve":
        yield path, f"{value!r} is not a CVE id (CVE-YYYY-NNNN)"
    elif name == "Pattern" and last == "lang":
        yield path, f"{value!r} is not a language tag (RFC 5646, such as en or en-GB)"
    elif name == "Pattern" and last == "country":
        yield path, f"{value!r} is not a country code (ISO 3166-1 alpha-2: two capital letters)"
    elif name == "Pattern" and last == "source_text":
        yield path, f"{value!r} is not the name of a .txt file beside the facts file"
    elif name == "Pattern" and last == "technique":
        yield path, f"{value!r} is not a technique id (such as T1566.001, CAPEC-98, AML.T0051)"
    elif name == "Pattern" and isinstance(value, str) and _wants_ref(error):
        yield path, f"{value!r} is not a reference to an object (`type/key`, in lower case)"
    elif name == "Pattern" and _pattern_of(error) == "^[a-z0-9-]+$":
        yield path, f"{value!r} is not a name of lower case letters, digits and '-'"
    elif name == "Pattern":  # never the regular expression itself: say where the form is told
        yield path, f"{value!r} does not have the form this key takes (see {_anchor(path)})"
    elif name == "Type":
        expected = " or ".join(str(t) for t in error.kind.types)
        yield path, f"expected {expected}, got {kind(value)}"
    elif name == "Enum" and last == "type" and len(path) == 3 and path[0] == "observables":
        yield path, f"{value!r} is not an observable type this format supports ({_options(error)})"
    elif name == "Enum":
        yield path, f"{value!r} is not one of: {_options(error)}"
    elif name == "OneOfNotValid" and len(path) == 2 and path[0] == "facts":
        yield path, "a fact needs either `wording` (the report's own claim) or `source` and `grade`"
    elif name == "OneOfMultipleValid" and len(path) == 2 and path[0] == "facts":
        yield path, "a fact cannot have both `wording` and `source`/`grade`"
    elif name.startswith("OneOf") and len(path) == 2 and path[0] == "indicators":
        yield path, "an indicator needs either `observables` or `pattern` with `pattern_type`"
    elif name == "AnyOf" and len(path) == 2 and path[0] == "locations":
        yield path, "a location needs `country`, `region` or `latitude` and `longitude`"
    elif name == "AnyOf" and "external_references" in path:
        yield path, "an external reference needs `url`, `description` or `external_id`"
    elif name == "AnyOf" and path[:1] == ("sources",):
        yield path, "a source needs `url` or `description`"
    elif name == "MinItems":
        yield path, "needs at least one item"
    elif name == "MinLength" or (
        name == "Pattern" and isinstance(value, str) and not value.strip()
    ):
        yield path, "must not be empty"
    elif name in ("Minimum", "Maximum", "ExclusiveMinimum", "ExclusiveMaximum"):
        yield path, f"{value!r} is out of range ({error.message})"
    elif name == "MinProperties":
        yield path, "needs at least one entry"
    else:
        yield path, str(error.message)


def _unexpected_from(error: Any, value: Any) -> list[str]:
    known = _known_keys(tuple(error.instance_path))
    return [key for key in value if key not in known] if isinstance(value, dict) else []


def _options(error: Any) -> str:
    options = getattr(error.kind, "options", None)
    if isinstance(options, list):
        return ", ".join(str(option) for option in options)
    return str(error.message)


def _pattern_of(error: Any) -> str:
    return str(getattr(error.kind, "pattern", ""))


def _is_timestamp_schema(error: Any) -> bool:
    return _pattern_of(error) == str(_schema()["$defs"]["timestamp"]["pattern"])


def _is_marking_schema(error: Any) -> bool:
    return _pattern_of(error) == str(_schema()["$defs"]["marking_names"]["items"]["pattern"])


def _wants_ref(error: Any) -> bool:
    return _pattern_of(error) == str(_schema()["$defs"]["ref"]["pattern"])


def _resolve(node: Mapping[str, Any]) -> Mapping[str, Any]:
    while "$ref" in node and "properties" not in node and "items" not in node:
        node = _definition(node["$ref"])
    return node


def _definition(ref: str) -> Mapping[str, Any]:
    definition: Mapping[str, Any] = _schema()["$defs"][ref.rsplit("/", 1)[-1]]
    return definition


def _known_keys(path: KeyPath) -> set[str]:
    """The keys the schema allows in the mapping at ``path``."""
    node: Mapping[str, Any] = _schema()
    for part in path:
        node = _resolve(node)
        if isinstance(part, int):
            node = node.get("items", {})
        else:
            node = node.get("properties", {}).get(part, {})
    node = _resolve(node)
    keys = set(node.get("properties", {}))
    if "$ref" in node:
        keys |= set(_definition(node["$ref"]).get("properties", {}))
    return keys
