"""Custom content follows the 2.1 rules, and a few property values the schema cannot bound.

Custom object types start with ``x-`` or are declared by a ``new-sdo``/``new-sco``/``new-sro``
extension; custom top-level properties start with ``x_`` or are declared by a
``toplevel-property-extension``. A property that is neither is most often a typo.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from stix_mtac.jsonpath import key_part
from stix_mtac.validate.context import BundleContext
from stix_mtac.validate.findings import Severity
from stix_mtac.validate.refdata import stix_types
from stix_mtac.validate.registry import Alias, Issue, check

NEW_OBJECT_EXTENSIONS = frozenset({"new-sdo", "new-sco", "new-sro"})
TOPLEVEL_EXTENSION = "toplevel-property-extension"


def _extension_types(obj: Mapping[str, Any]) -> set[str]:
    extensions = obj.get("extensions")
    if not isinstance(extensions, dict):
        return set()
    return {
        str(body.get("extension_type"))
        for key, body in extensions.items()
        if isinstance(key, str) and key.startswith("extension-definition--")
        if isinstance(body, dict)
    }


def _object_id(obj: Mapping[str, Any]) -> str | None:
    value = obj.get("id")
    return value if isinstance(value, str) else None


@check(
    code="SX601",
    name="undeclared-custom-type",
    severity=Severity.ERROR,
    aliases=(Alias("401", mentions=r"(?i)custom (object )?type"),),
)
def undeclared_custom_type(
    obj: Mapping[str, Any], path: str, ctx: BundleContext
) -> Iterator[Issue]:
    """An object type outside the spec starts with x- or is declared by a new-* extension.

    STIX 2.1 custom objects are declared by an extension-definition with extension_type new-
    sdo, new-sco or new-sro (the x- prefix is the deprecated 2.0 way, still accepted).
    """
    object_type = obj.get("type")
    if not isinstance(object_type, str) or object_type in stix_types():
        return
    if object_type.startswith("x-") or _extension_types(obj) & NEW_OBJECT_EXTENSIONS:
        return
    yield Issue(
        f"{path}.type",
        f"type {object_type!r} is not a STIX 2.1 type; a custom type must be declared with an "
        "extension-definition (extension_type new-sdo, new-sco or new-sro) or start with x-",
        _object_id(obj),
    )


@check(
    code="SX602",
    name="undeclared-custom-property",
    severity=Severity.WARNING,
    aliases=(Alias("401", mentions="*key"),),
)
def undeclared_custom_property(
    obj: Mapping[str, Any], path: str, ctx: BundleContext
) -> Iterator[Issue]:
    """A property outside the spec starts with x_ or is declared by a toplevel extension.

    A top-level property outside the spec for its type is either custom (prefix x_ or a
    toplevel-property-extension) or, most often, a typo such as create_by_ref, which
    importers silently drop.
    """
    info = stix_types().get(str(obj.get("type")))
    if info is None:
        return  # a custom type defines its own properties
    unknown = [key for key in obj if key not in info.properties and not key.startswith("x_")]
    if not unknown or TOPLEVEL_EXTENSION in _extension_types(obj):
        return
    for key in unknown:
        yield Issue(
            path + key_part(key),
            f"{key!r} is not a {obj.get('type')} property in STIX 2.1; if it is a typo, fix it; "
            "if it is custom, prefix it with x_ or declare it in an extension-definition",
            _object_id(obj),
        )


@check(
    code="SX603",
    name="confidence-out-of-range",
    severity=Severity.ERROR,
    aliases=(Alias("C100", match="path"),),
)
def confidence_out_of_range(
    obj: Mapping[str, Any], path: str, ctx: BundleContext
) -> Iterator[Issue]:
    """confidence is an integer from 0 to 100.

    confidence is an integer from 0 to 100 (STIX 2.1 section 3.2 and Appendix A).
    """
    if "confidence" not in obj:
        return
    value = obj["confidence"]
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        yield Issue(
            f"{path}.confidence",
            f"confidence is {value!r}; it must be an integer from 0 to 100 "
            "(STIX 2.1 Appendix A maps wording to this scale)",
            _object_id(obj),
        )


@check(
    code="SX604",
    name="location-without-place",
    severity=Severity.ERROR,
    types=("location",),
    # the location schema's anyOf fails on the whole object: a message that quotes it
    aliases=(Alias("C100", match="path", mentions=r"^\{"),),
)
def location_without_place(
    obj: Mapping[str, Any], path: str, ctx: BundleContext
) -> Iterator[Issue]:
    """A location has a region, a country, or both latitude and longitude.

    A location needs a region, a country, or latitude and longitude together (STIX 2.1
    section 4.11) for importers to place it.
    """
    has_latitude, has_longitude = "latitude" in obj, "longitude" in obj
    if has_latitude != has_longitude:
        yield Issue(
            path,
            "location has only one of latitude and longitude; give both or neither",
            _object_id(obj),
        )
    elif "region" not in obj and "country" not in obj and not has_latitude:
        yield Issue(
            path,
            "location has no region, country or latitude/longitude; add at least one so "
            "importers can place it",
            _object_id(obj),
        )
