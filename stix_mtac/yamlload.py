"""YAML reading that remembers where every value came from.

Facts files are edited by hand, so a problem must be reported at its line. PyYAML's plain
loaders forget positions and silently let a repeated key overwrite the first one; this loader
keeps a line number for every key path and refuses duplicate keys. Dates stay strings: the
facts schema checks their form, and a YAML timestamp type would hide typos like 2023-13-01.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

KeyPath = tuple[str | int, ...]


class _NoDatesLoader(yaml.SafeLoader):
    """SafeLoader without the implicit timestamp type."""


_NoDatesLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


# The only node types a facts file may hold: what JSON can hold. Anything else (``!!binary``,
# ``!!set``, ``!!omap``, ``!!timestamp``, ``!!python/...``, local ``!tags``) is refused at its
# line before any value is constructed, so no loader type ever reaches the facts checks.
_YAML = "tag:yaml.org,2002:"
ALLOWED_TAGS = frozenset(
    _YAML + name for name in ("str", "int", "float", "bool", "null", "map", "seq")
)


# A facts file nests a few levels (section, entry, list, mapping); anything far deeper is not
# a facts file, and the schema validator has its own, lower recursion limit.
MAX_DEPTH = 64


def _short_tag(tag: str) -> str:
    return "!!" + tag.removeprefix(_YAML) if tag.startswith(_YAML) else tag


class YamlProblem(ValueError):
    """A YAML syntax error or duplicate key, with its 1-based line."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass(frozen=True)
class LocatedYaml:
    """Parsed YAML data plus the line of every key path in it."""

    data: Any
    lines: dict[KeyPath, int]

    def line_of(self, path: KeyPath) -> int | None:
        """The line of ``path`` or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return None


def format_path(path: KeyPath) -> str:
    """``("campaigns", 2, "first_seen")`` -> ``campaigns[2].first_seen``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


def load_located_yaml(text: str) -> LocatedYaml:
    """Parse one YAML document; raise YamlProblem on syntax errors and duplicate keys."""
    try:
        node = yaml.compose(text, Loader=_NoDatesLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise YamlProblem(
            line, f"YAML syntax error: {_one_line(exc.problem or exc.context)}"
        ) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        raise YamlProblem(line, f"character U+{exc.character:04X} is not allowed in YAML") from None
    except yaml.YAMLError as exc:
        raise YamlProblem(1, f"YAML error: {_one_line(str(exc))}") from None
    except RecursionError:
        raise YamlProblem(1, "YAML nested too deeply") from None
    if node is None:
        return LocatedYaml(None, {})
    lines: dict[KeyPath, int] = {}
    try:
        _index_lines(node, (), lines, set())
    except RecursionError:
        raise YamlProblem(1, "YAML nested too deeply") from None
    loader = _NoDatesLoader("")
    try:
        data = loader.construct_document(node)
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else 1
        raise YamlProblem(line, f"YAML error: {_one_line(exc.problem)}") from None
    finally:
        loader.dispose()
    return LocatedYaml(data, lines)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _one_line(text: str | None) -> str:
    return " ".join((text or "unreadable YAML").split())


def _index_lines(
    node: yaml.Node, path: KeyPath, lines: dict[KeyPath, int], seen_nodes: set[int]
) -> None:
    # An alias makes one node appear at several paths; expanding them is how "billion laughs"
    # documents exhaust memory, and hand-written facts have no use for them.
    if node.tag not in ALLOWED_TAGS:
        raise YamlProblem(
            node.start_mark.line + 1,
            f"{format_path(path) or 'document'}: YAML tag {_one_line(_short_tag(node.tag))[:60]} "
            "is not allowed in facts files (only strings, numbers, booleans, null, mappings "
            "and lists)",
        )
    if isinstance(node, yaml.CollectionNode):
        if id(node) in seen_nodes:
            raise YamlProblem(
                node.start_mark.line + 1,
                f"{format_path(path) or 'document'}: YAML aliases (*name) are not allowed "
                "in facts files",
            )
        seen_nodes.add(id(node))
    if len(path) > MAX_DEPTH:
        raise YamlProblem(
            node.start_mark.line + 1,
            f"nested more than {MAX_DEPTH} levels deep; a facts file needs a handful",
        )
    if isinstance(node, yaml.ScalarNode) and not _encodable(node.value):
        # "\ud800" in a double-quoted YAML string is a lone surrogate: no UTF-8, no JSON
        raise YamlProblem(
            node.start_mark.line + 1,
            f"{format_path(path) or 'document'}: a lone surrogate escape (\\ud800-\\udfff) "
            "is not a character; write the character itself",
        )
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if not _encodable(key):
                raise YamlProblem(
                    key_node.start_mark.line + 1,
                    f"{format_path(path) or 'document'}: a key holds a lone surrogate escape "
                    "(\\ud800-\\udfff), which is not a character",
                )
            key_line = key_node.start_mark.line + 1
            if key in seen:
                raise YamlProblem(
                    key_line,
                    f"{format_path((*path, key))}: duplicate key (first on line {seen[key]}); "
                    "YAML would silently keep only the last one",
                )
            seen[key] = key_line
            _index_lines(value_node, (*path, key), lines, seen_nodes)
            lines[(*path, key)] = key_line
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _index_lines(item, (*path, index), lines, seen_nodes)
