"""Problems found in a facts file, each with its line, reported all at once."""

from __future__ import annotations

from stix_mtac.errors import FactsError
from stix_mtac.yamlload import KeyPath, LocatedYaml, format_path


class Problems:
    """Collects ``file:line: key.path: message`` lines, to report them all at once."""

    def __init__(self, display: str, located: LocatedYaml) -> None:
        self.display = display
        self.located = located
        self.lines: list[tuple[int, str]] = []

    def add(self, path: KeyPath, message: str) -> None:
        line = self.located.line_of(path) or 1
        where = f"{format_path(path)}: " if path else ""
        self.lines.append((line, f"{self.display}:{line}: {where}{message}"))

    def raise_if_any(self) -> None:
        if self.lines:
            ordered = sorted(set(self.lines))
            raise FactsError([text for _, text in ordered])
