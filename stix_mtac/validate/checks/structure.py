"""Bundle shape: a 2.1 bundle has objects and no ``spec_version``; each object has its own."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from stix_mtac.validate.context import BundleContext, object_path
from stix_mtac.validate.findings import Severity
from stix_mtac.validate.refdata import stix_types
from stix_mtac.validate.registry import Alias, Issue, check

SPEC_VERSION = "2.1"


@check(
    code="SX101",
    name="bundle-spec-version",
    severity=Severity.WARNING,
    scope="bundle",
    aliases=(Alias("401", mentions="*key"),),
)
def bundle_spec_version(ctx: BundleContext) -> Iterator[Issue]:
    """A STIX 2.1 bundle has no spec_version property (only 2.0 bundles had one).

    STIX 2.1 dropped the bundle's spec_version (2.0 bundles had one); stix2-validator and
    TIPs ignore it, so it is a warning: remove it and give each object its own spec_version.
    """
    if "spec_version" in ctx.bundle:
        yield Issue(
            "$.spec_version",
            f"bundle has spec_version {ctx.bundle['spec_version']!r}: STIX 2.1 bundles have none "
            "(2.0 bundles did); remove it and put spec_version on each object",
        )


@check(
    code="SX102",
    name="empty-bundle",
    severity=Severity.ERROR,
    scope="bundle",
    aliases=(Alias("C120", match="path"),),
)
def empty_bundle(ctx: BundleContext) -> Iterator[Issue]:
    """A bundle's objects is a non-empty list of JSON objects.

    A bundle without objects, with an objects that is not a list, or with entries that are
    not JSON objects carries nothing an importer can use.
    """
    objects = ctx.bundle.get("objects")
    if objects is None:
        yield Issue("$", "bundle has no objects property; add the objects it carries")
    elif not isinstance(objects, list):
        yield Issue("$.objects", f"objects is a {type(objects).__name__}, expected a list")
    elif not objects:
        yield Issue("$.objects", "objects is empty: a bundle that carries nothing is an error")
    else:
        for index, obj in enumerate(objects):
            if not isinstance(obj, dict):
                yield Issue(
                    object_path(index),
                    f"objects[{index}] is a {type(obj).__name__}, expected a STIX object",
                )


@check(
    code="SX103",
    name="missing-spec-version",
    severity=Severity.ERROR,
    aliases=(Alias("C100", match="path", mentions="spec_version"),),
)
def missing_spec_version(obj: Mapping[str, Any], path: str, ctx: BundleContext) -> Iterator[Issue]:
    """Every STIX 2.1 object other than a cyber-observable states spec_version "2.1".

    Without spec_version, importers and stix2-validator read an SDO, SRO or meta object as
    STIX 2.0 (section 3.2); SCOs may omit it.
    """
    if "spec_version" in obj:
        return
    info = stix_types().get(str(obj.get("type")))
    if info is not None and info.kind == "sco":
        return  # spec_version is optional on SCOs (STIX 2.1 section 6.1)
    yield Issue(
        path,
        'object has no spec_version; add "spec_version": "2.1" (without it, importers and '
        "stix2-validator read the object as STIX 2.0)",
        obj.get("id") if isinstance(obj.get("id"), str) else None,
    )


@check(code="SX104", name="wrong-spec-version", severity=Severity.ERROR)
def wrong_spec_version(obj: Mapping[str, Any], path: str, ctx: BundleContext) -> Iterator[Issue]:
    """Objects in a STIX 2.1 bundle have spec_version "2.1".

    This validator checks STIX 2.1; an object that declares another version is checked
    against rules it does not follow.
    """
    version = obj.get("spec_version", SPEC_VERSION)
    if version != SPEC_VERSION:
        yield Issue(
            f"{path}.spec_version",
            f'spec_version is {version!r}; this validator checks STIX 2.1 ("2.1")',
            obj.get("id") if isinstance(obj.get("id"), str) else None,
        )
