"""pyproject.toml's dependency lists say the truth: every runtime dependency is imported and
every third-party import is declared; each range has both ends; constraints/floors.txt is
exactly the lower bounds (scripts/test-floors.sh installs it); Pillow is optional."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from stix_mtac.cli import cli

REPO = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
# distribution name -> the top-level module it installs (where the two differ)
MODULE_OF = {
    "stix2-validator": "stix2validator",
    "stix2-patterns": "stix2patterns",
    "pyyaml": "yaml",
    "jsonschema-rs": "jsonschema_rs",
    "pillow": "PIL",
}
REQUIREMENT = re.compile(r"^([A-Za-z0-9._-]+)\s*(.*)$")


def _name_and_spec(requirement: str) -> tuple[str, str]:
    match = REQUIREMENT.match(requirement)
    assert match, requirement
    return match.group(1).lower(), match.group(2)


def runtime_requirements() -> dict[str, str]:
    required = dict(map(_name_and_spec, PYPROJECT["project"]["dependencies"]))
    required.update(map(_name_and_spec, PYPROJECT["project"]["optional-dependencies"]["png"]))
    return required


def imported_top_level_modules() -> set[str]:
    found: set[str] = set()
    for path in (REPO / "stix_mtac").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"stix_mtac"}


def test_every_runtime_dependency_is_imported_and_every_import_declared() -> None:
    declared = {MODULE_OF.get(name, name) for name in runtime_requirements()}
    imported = imported_top_level_modules()
    assert imported - declared == set(), "imported but not declared"
    assert declared - imported == set(), "declared but never imported"


def test_every_range_has_a_floor_and_a_ceiling() -> None:
    for name, spec in runtime_requirements().items():
        exact = spec.startswith("==")
        assert exact or (">=" in spec and "<" in spec.replace("<=", "")), f"{name} {spec}"


def test_floors_file_is_exactly_the_lower_bounds() -> None:
    floors: dict[str, str] = {}
    for line in (REPO / "constraints" / "floors.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            floors[name.lower()] = version
    lower = {
        name: re.search(r"(?:>=|==)([^,]+)", spec).group(1)  # type: ignore[union-attr]
        for name, spec in runtime_requirements().items()
    }
    assert {name: _release(v) for name, v in floors.items()} == {
        name: _release(v) for name, v in lower.items()
    }


def _release(version: str) -> tuple[int, ...]:
    """``8.2`` and ``8.2.0`` are one version."""
    parts = [int(part) for part in version.split(".")]
    while parts and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def test_dev_tools_are_pinned_exactly() -> None:
    pinned: dict[str, str] = {}
    for line in (REPO / "constraints" / "dev.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            pinned[name.lower()] = version
    extras = PYPROJECT["project"]["optional-dependencies"]
    test_extra = [_name_and_spec(r)[0].split("[")[0] for r in extras["test"]]
    for name in test_extra:
        if name != "stix-mtac":  # its own [png] extra
            assert pinned.get(name), f"{name} is not pinned in constraints/dev.txt"


def test_the_licence_file_is_the_apache_2_licence_the_metadata_names() -> None:
    assert PYPROJECT["project"]["license"] == "Apache-2.0"
    text = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License\n                           Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text


def test_png_without_pillow_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "PIL", None)  # import PIL now fails, as without Pillow
    monkeypatch.delitem(sys.modules, "stix_mtac.view.png", raising=False)
    bundle = REPO / "bundles" / "mtac-east-asia-2023-09-07.json"
    target = tmp_path / "graph.png"
    result = CliRunner().invoke(cli, ["graph", str(bundle), "-o", str(target)])
    assert result.exit_code == 10, result.output
    assert result.stderr.strip().splitlines() == [
        "error: PNG output needs Pillow, which is not installed: pip install 'stix-mtac[png]' "
        "(or write .svg or .html, which need nothing more)"
    ]
    assert not target.exists()
    svg = CliRunner().invoke(cli, ["graph", str(bundle), "-o", str(tmp_path / "graph.svg")])
    assert svg.exit_code == 0, svg.output
