"""TLP markings: an official id carries the official content, and TLP comes only from those ids.

TIPs recognise TLP by the marking definition's id; a look-alike definition with another id is
not TLP to them, and an official id with altered content says two things at once.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from stix_mtac.jsonpath import key_part
from stix_mtac.validate.context import BundleContext
from stix_mtac.validate.findings import Severity
from stix_mtac.validate.refdata import official_tlp, tlp2_extension_id
from stix_mtac.validate.registry import Alias, Issue, check

MARKING = ("marking-definition",)


def _claims_tlp(obj: Mapping[str, Any]) -> bool:
    name = obj.get("name")
    extensions = obj.get("extensions")
    return (
        obj.get("definition_type") == "tlp"
        or (isinstance(name, str) and name.upper().startswith("TLP:"))
        or (isinstance(extensions, dict) and tlp2_extension_id() in extensions)
    )


@check(code="SX501", name="altered-tlp-marking", severity=Severity.ERROR, types=MARKING)
def altered_tlp_marking(obj: Mapping[str, Any], path: str, ctx: BundleContext) -> Iterator[Issue]:
    """A marking definition with an official TLP id has exactly the official content.

    TIPs recognise TLP by the marking definition's id; an official TLP 1.0 or TLP 2.0 id
    with altered content says two things at once (data/markings/ holds the official
    definitions).
    """
    stix_id = obj.get("id")
    official = official_tlp().get(stix_id) if isinstance(stix_id, str) else None
    if official is None or obj == official:
        return
    differing = sorted(key for key in set(obj) | set(official) if obj.get(key) != official.get(key))
    yield Issue(
        path + key_part(differing[0]) if differing else path,
        f"{stix_id} is the official {official.get('name')} marking but differs from it in "
        f"{', '.join(differing)}; ship the official definition unchanged",
        stix_id if isinstance(stix_id, str) else None,
    )


@check(
    code="SX502",
    name="unofficial-tlp-marking",
    severity=Severity.ERROR,
    types=MARKING,
    # the schema allows a tlp definition only with an official id: it fails the whole object
    aliases=(Alias("C100", mentions=r"^\{"),),
)
def unofficial_tlp_marking(
    obj: Mapping[str, Any], path: str, ctx: BundleContext
) -> Iterator[Issue]:
    """A TLP marking definition uses one of the official TLP 1.0 or TLP 2.0 ids.

    A definition that claims TLP (definition_type tlp, a TLP: name, the TLP 2.0 extension)
    under another id is not TLP to a TIP.
    """
    stix_id = obj.get("id")
    if not _claims_tlp(obj) or (isinstance(stix_id, str) and stix_id in official_tlp()):
        return
    yield Issue(
        f"{path}.id",
        f"{stix_id} claims to be a TLP marking ({obj.get('name', obj.get('definition'))}) but "
        "is not an official TLP definition; TIPs will not recognise it. Use the OASIS TLP 2.0 "
        "(or STIX 2.1 TLP 1.0) definition instead",
        stix_id if isinstance(stix_id, str) else None,
    )
