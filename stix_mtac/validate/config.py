"""The validate options a repository keeps in a file, so CI, the pre-commit hook and a local
run agree without copying flags by hand.

Read from ``.stix-mtac.toml`` (table ``[validate]``) or ``pyproject.toml`` (table
``[tool.stix-mtac.validate]``), the first found from the current directory upwards (a
``.stix-mtac.toml`` wins over a ``pyproject.toml`` in the same directory), or the file named
by ``--config``. Keys are the long option names without dashes in front (``fail-on``,
``disable``); a flag given on the command line overrides its key. Paths (``baseline``,
``root``) are relative to the file's directory. An unknown key or a value of the wrong type
is a usage error (exit 2): a typo must not switch a gate off unseen.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stix_mtac.errors import StixMtacError

LOCAL_NAME = ".stix-mtac.toml"
PYPROJECT = "pyproject.toml"
MAX_CONFIG_BYTES = 1024 * 1024

# key -> the Python type(s) its value must have (lists hold strings)
KEYS: dict[str, tuple[type, ...]] = {
    "disable": (list, str),
    "enable": (list, str),
    "error": (list, str),
    "warning": (list, str),
    "ignore": (list, str),
    "strict": (bool,),
    "fail-on": (str,),
    "quiet": (bool,),
    "open": (bool,),
    "engine": (str,),
    "jobs": (int,),
    "no-conformance": (bool,),
    "skip-non-stix": (bool,),
    "allow-empty": (bool,),
    "format": (str,),
    "baseline": (str,),
    "root": (str,),
    "max-bytes": (int,),
    "max-depth": (int,),
    "max-string": (int,),
    "max-objects": (int,),
    "max-findings": (int,),
}
PATH_KEYS = frozenset({"baseline", "root"})


class ConfigError(StixMtacError):
    """A config file that cannot be read or holds an unknown key or a wrong value."""

    exit_code = 2


@dataclass(frozen=True)
class Config:
    """The settings found (``values`` by key, paths made absolute) and where."""

    path: Path | None = None
    values: Mapping[str, Any] = field(default_factory=dict)


def _table(document: Mapping[str, Any], path: Path) -> Mapping[str, Any] | None:
    if path.name == PYPROJECT:
        tool = document.get("tool", {})
        section = tool.get("stix-mtac", {}) if isinstance(tool, dict) else {}
        table = section.get("validate") if isinstance(section, dict) else None
    else:
        table = document.get("validate")
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"{path}: the validate settings must be a table")
    return table


def load_config(path: Path) -> Config:
    """The validate settings of one file (an empty Config when it has none)."""
    try:
        if path.stat().st_size > MAX_CONFIG_BYTES:
            raise ConfigError(f"{path}: larger than {MAX_CONFIG_BYTES} bytes; not a config file")
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    table = _table(document, path)
    if table is None:
        return Config()
    values: dict[str, Any] = {}
    for key, value in table.items():
        kinds = KEYS.get(key)
        if kinds is None:
            raise ConfigError(f"{path}: unknown validate setting {key!r} (see the README)")
        if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
            wanted = " or ".join("a list of strings" if k is list else k.__name__ for k in kinds)
            raise ConfigError(f"{path}: {key} must be {wanted}, not {value!r}")
        if isinstance(value, list):
            if not all(isinstance(item, str) for item in value):
                raise ConfigError(f"{path}: {key} must be a list of strings")
            value = tuple(value)
        elif isinstance(value, str) and kinds == (list, str):
            value = (value,)
        if key in PATH_KEYS:
            value = str((path.parent / value).resolve())
        values[key] = value
    return Config(path, values)


def find_config(start: Path) -> Config:
    """The first settings found from ``start`` upwards (see the module docstring)."""
    for directory in (start.resolve(), *start.resolve().parents):
        for name in (LOCAL_NAME, PYPROJECT):
            candidate = directory / name
            if candidate.is_file():
                found = load_config(candidate)
                if found.path is not None:
                    return found
        if (directory / ".git").exists():
            break  # the repository's top: settings above it belong to something else
    return Config()


def git_top(start: Path) -> Path | None:
    """The top of the git work tree holding ``start``, or None."""
    for directory in (start.resolve(), *start.resolve().parents):
        if (directory / ".git").exists():
            return directory
    return None
