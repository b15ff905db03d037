"""The one registration point for the project's own checks.

A check is a generator decorated with :func:`check`, which records its stable code, name,
default severity and scope in :data:`REGISTRY`. Adding a check touches one file: the themed
module in ``stix_mtac/validate/checks/`` where it lives.

Object checks run once per object (optionally only for some types); bundle checks run once per
bundle. Both receive the :class:`~stix_mtac.validate.context.BundleContext`, whose id index is
built once, so no check needs to search the bundle.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from stix_mtac.validate.findings import Severity

if TYPE_CHECKING:
    from stix_mtac.validate.context import BundleContext

Scope = Literal["object", "bundle"]


@dataclass(frozen=True)
class Issue:
    """What a check yields: where (JSON path) and what is wrong; the registry adds the rest.

    ``severity`` overrides the check's default (``--open`` makes missing references warnings).
    """

    json_path: str
    message: str
    object_id: str | None = None
    severity: Severity | None = None


ObjectCheckFn = Callable[[Mapping[str, Any], str, "BundleContext"], Iterator[Issue]]
BundleCheckFn = Callable[["BundleContext"], Iterator[Issue]]


@dataclass(frozen=True)
class Alias:
    """A stix2-validator code that finds the same defect as one of our checks.

    Where both fire, one finding is kept: ours, which answers to the alias in ``--disable`` and
    the severity options. An upstream finding is the same defect when it is on the same object
    (``match="object"``) or at the same JSON path (``match="path"``), and, when ``mentions`` is
    set, its message matches that regular expression; ``mentions="*key"`` means the property
    our finding's path ends in, quoted.
    """

    code: str
    match: Literal["object", "path"] = "object"
    mentions: str | None = None


@dataclass(frozen=True)
class Check:
    """A registered check: its identity, default severity, what it runs on, and the function."""

    code: str
    name: str
    severity: Severity
    summary: str
    scope: Scope
    types: frozenset[str] | None
    function: Callable[..., Iterator[Issue]]
    description: str = ""
    aliases: tuple[Alias, ...] = ()


REGISTRY: dict[str, Check] = {}


def check(
    *,
    code: str,
    name: str,
    severity: Severity,
    scope: Scope = "object",
    types: Iterable[str] | None = None,
    aliases: Iterable[Alias] = (),
) -> Callable[[Callable[..., Iterator[Issue]]], Callable[..., Iterator[Issue]]]:
    """Register a check. Object checks are called ``fn(obj, path, ctx)``; bundle checks ``fn(ctx)``.

    The function's docstring is the check's description: its first line the summary, the
    whole of it (paragraphs joined) the full description (SARIF rules, the README table).
    """

    def register(function: Callable[..., Iterator[Issue]]) -> Callable[..., Iterator[Issue]]:
        if code in REGISTRY or any(known.name == name for known in REGISTRY.values()):
            raise ValueError(f"check {code} {name} is registered twice")
        doc = (function.__doc__ or name).strip()
        summary = doc.splitlines()[0]
        REGISTRY[code] = Check(
            code=code,
            name=name,
            severity=severity,
            summary=summary,
            scope=scope,
            types=frozenset(types) if types is not None else None,
            function=function,
            description=" ".join(doc.split()),
            aliases=tuple(aliases),
        )
        return function

    return register


def registered_checks() -> list[Check]:
    """Every check of ours, in code order (imports the check modules on first use)."""
    import stix_mtac.validate.checks  # noqa: F401  (registers the checks)

    return [REGISTRY[code] for code in sorted(REGISTRY)]
