"""A facts skeleton from a report's text, for an analyst to review: ``stix-mtac draft``.

The draft lists what a machine can find without judging: indicators (defanged or not, see
``stix_mtac.iocs``), CVE ids and technique ids (ATT&CK ``T1566.001``, DISARM ``T0086``, CAPEC
``CAPEC-98``, ATLAS ``AML.T0051``). Each finding cites the sentence it was found in, copied
verbatim as the fact's quote, so the quote check passes; everything a reader must decide (what
the sentence claims, its wording, the objects' names and descriptions, which hashes belong to
one file) is a ``TODO``. The draft is schema_version 2 (docs/facts-format.md) but is not meant
to load until the TODOs are done.

``draft_facts`` is a pure function of the text; only the command writes a file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from stix_mtac.iocs import HASH_LENGTHS, Found, find_iocs

MAX_QUOTE_CHARS = 600  # a longer "sentence" (a table, a list) is cut around the finding
SEARCH_CHARS = 2 * MAX_QUOTE_CHARS  # how far from a finding its sentence's ends are looked for
CONTEXT_LETTERS = 12  # a line with fewer letters than this besides the finding gets its label

_CVE = re.compile(r"\bCVE[-_ ]?(\d{4})[-_](\d{4,7})\b", re.IGNORECASE)
_TECHNIQUE = re.compile(
    r"(?<![\w.-])(?:(AML\.T\d{4}(?:\.\d{3})?)|(T\d{4}(?:\.\d{3})?)|(CAPEC-\d{1,5}))(?![\w-])"
)
# A sentence ends at . ! or ? (maybe closed by a quote or bracket) before white space and a
# capital, digit or opening quote; a dot inside 1.2.3.4 or example.com is not followed by space.
_SENTENCE_END = re.compile(
    r"(?<=[a-z0-9)\]\"'\u201d\u2019][.!?])[\"'\u201d\u2019)\]]?\s+(?=[A-Z0-9\"\u201c\u2018(\[])"
)
_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")


@dataclass(frozen=True)
class Finding:
    """Something ``draft`` found: the section it goes to, its key, and its position."""

    section: str  # observables, vulnerabilities, attack_patterns
    key: str
    start: int
    end: int
    written: str
    fields: tuple[tuple[str, object], ...]  # the entry's keys in order (besides key, facts)
    comment: str = ""


def find_references(text: str) -> list[Finding]:
    """CVE ids and technique ids in ``text``."""
    found: list[Finding] = []
    for match in _CVE.finditer(text):
        cve = f"CVE-{match.group(1)}-{match.group(2)}"
        found.append(
            Finding(
                section="vulnerabilities",
                key=cve.lower(),
                start=match.start(),
                end=match.end(),
                written=match.group(0),
                fields=(("name", cve), ("cve", cve), ("description", "TODO")),
                comment="" if match.group(0) == cve else f"written {match.group(0)}",
            )
        )
    for match in _TECHNIQUE.finditer(text):
        technique = match.group(0)
        catalogue, note = _catalogue_of(match)
        found.append(
            Finding(
                section="attack_patterns",
                key=f"{catalogue}-{technique.lower()}",
                start=match.start(),
                end=match.end(),
                written=technique,
                fields=(
                    ("catalogue", catalogue),
                    ("technique", technique),
                ),
                comment=note,
            )
        )
    return found


def _catalogue_of(match: re.Match[str]) -> tuple[str, str]:
    """The catalogue a technique id most likely comes from, and a note when it is a guess."""
    if match.group(1):
        return "mitre-atlas", ""
    if match.group(3):
        return "capec", ""
    number = int(match.group(2)[1:5])
    if number >= 1000:
        return "mitre-attack", "TODO: or mitre-mobile-attack"
    if number >= 800:
        return "mitre-ics-attack", "TODO: ICS-range id; check the catalogue"
    return "disarm", "TODO: DISARM-range id; check the catalogue"


def findings(text: str) -> list[Finding]:
    """Everything ``draft`` reports, in order of position."""
    found = [_observable(ioc) for ioc in find_iocs(text)]
    taken = [(item.start, item.end) for item in found]
    for reference in find_references(text):
        # a CVE inside a URL (a link to its record) is still a CVE; a technique id inside a
        # hash or URL is not
        inside = any(start <= reference.start and reference.end <= end for start, end in taken)
        if reference.section == "vulnerabilities" or not inside:
            found.append(reference)
    return sorted(found, key=lambda item: (item.start, item.section, item.key))


def _observable(ioc: Found) -> Finding:
    comment = f"written {ioc.written}" if ioc.defanged else ""
    if ioc.kind in HASH_LENGTHS or ioc.kind == "file:SSDEEP":
        algorithm = ioc.kind.removeprefix("file:")
        fields: tuple[tuple[str, object], ...] = (
            ("type", "file"),
            ("hashes", {algorithm: ioc.value}),
        )
        comment = "TODO: merge the hashes of one file into one entry; add its name"
        key = f"file-{algorithm.lower()}-{ioc.value[:12].lower()}"
    else:
        fields = (("type", ioc.kind), ("value", ioc.written))
        key = f"{ioc.kind}-{_slug(ioc.value)}"
    return Finding(
        section="observables",
        key=key,
        start=ioc.start,
        end=ioc.end,
        written=ioc.written,
        fields=fields,
        comment=comment,
    )


def _slug(value: str) -> str:
    slug = re.sub(r"[^a-z0-9.]+", "-", value.lower().split("://")[-1]).strip("-.")
    return slug[:80].rstrip("-.") or "value"


# ---------------------------------------------------------------------------------------------
# Sentences


class Sentences:
    """Finds the sentence around a span of one text. For an item of a list of indicators
    (lines that hold an indicator and little else; ``spans`` says where the indicators are,
    sorted and not overlapping) the sentence is the whole list with its heading line. Work is
    bounded: boundaries are looked for at most ``SEARCH_CHARS`` away, and each list is
    measured once."""

    def __init__(self, text: str, spans: tuple[tuple[int, int], ...] = ()) -> None:
        self.text = text
        self.spans = spans
        self._lists: dict[int, tuple[int, int] | None] = {}  # line start -> its list block

    def span(self, start: int, end: int) -> tuple[int, int]:
        text = self.text
        line = self._line_at(start)
        if line is not None and end <= line[1]:
            listed = self._list_block(line)
            if listed is not None:
                return _trimmed(text, start, end, *listed)
        left, right = _line_bounds(text, start, end)
        for boundary in _SENTENCE_END.finditer(text, left, right):
            if boundary.end() <= start:
                left = boundary.end()
            elif boundary.start() >= end:
                right = boundary.start()
                break
        return _trimmed(text, start, end, left, right)

    def _line_at(self, index: int) -> tuple[int, int] | None:
        """The line around ``index``, or None when it is longer than the search window."""
        text = self.text
        floor, ceiling = max(0, index - SEARCH_CHARS), min(len(text), index + SEARCH_CHARS)
        left = text.rfind("\n", floor, index) + 1
        right = text.find("\n", index, ceiling)
        if (left == 0 and floor > 0) or (right == -1 and ceiling < len(text)):
            return None
        return left, len(text) if right == -1 else right

    def _indicator_line(self, line: tuple[int, int]) -> bool:
        """Whether the line holds an indicator and fewer than CONTEXT_LETTERS other letters."""
        left, right = line
        text, letters, cursor, holds = self.text, 0, left, False
        for s, e in self.spans[_first_ending_after(self.spans, left) :]:
            if s >= right:
                break
            holds = True
            letters += sum(c.isalpha() for c in text[cursor : max(cursor, s)])
            cursor = max(cursor, min(e, right))
        letters += sum(c.isalpha() for c in text[cursor:right])
        return holds and letters < CONTEXT_LETTERS

    def _list_block(self, line: tuple[int, int]) -> tuple[int, int] | None:
        if line[0] in self._lists:
            return self._lists[line[0]]
        if not self._indicator_line(line):
            self._lists[line[0]] = None
            return None
        members = [line]
        first = line
        while first[0] > 0:
            previous = self._line_at(first[0] - 1)
            if previous is None or not self.text[previous[0] : previous[1]].strip():
                break  # a blank line (or a very long one) ends the list
            first = previous
            if not self._indicator_line(previous):
                break  # the heading of the list
            members.append(previous)
        last = line
        while last[1] < len(self.text):
            following = self._line_at(last[1] + 1)
            if following is None or not self._indicator_line(following):
                break
            last = following
            members.append(following)
        block = (first[0], last[1])
        for member in members:
            self._lists[member[0]] = block
        return block


def sentence_span(
    text: str, start: int, end: int, spans: tuple[tuple[int, int], ...] = ()
) -> tuple[int, int]:
    """The span of the sentence of ``text`` around ``text[start:end]`` (see ``Sentences``)."""
    return Sentences(text, spans).span(start, end)


def _trimmed(text: str, start: int, end: int, left: int, right: int) -> tuple[int, int]:
    if right - left > MAX_QUOTE_CHARS:
        half = (MAX_QUOTE_CHARS - (end - start)) // 2
        left = max(left, _word_start(text, start - half))
        right = min(right, _word_end(text, end + half))
    while left < start and text[left].isspace():
        left += 1
    while right > end and text[right - 1].isspace():
        right -= 1
    return left, right


def _first_ending_after(spans: tuple[tuple[int, int], ...], index: int) -> int:
    """Position in the sorted, non-overlapping ``spans`` of the first one ending after ``index``."""
    low, high = 0, len(spans)
    while low < high:
        middle = (low + high) // 2
        if spans[middle][1] <= index:
            low = middle + 1
        else:
            high = middle
    return low


def _line_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The block of lines around the span: a line break is a boundary unless the text is
    wrapped prose (the line ends without punctuation and the next starts in lower case)."""
    floor, ceiling = max(0, start - SEARCH_CHARS), min(len(text), end + SEARCH_CHARS)
    left = max(floor, text.rfind("\n", floor, start) + 1)
    while left > floor and _wraps(text, left):
        left = max(floor, text.rfind("\n", floor, left - 1) + 1)
    right = text.find("\n", end, ceiling)
    right = ceiling if right == -1 else right
    while right < ceiling and _wraps(text, right + 1):
        following = text.find("\n", right + 1, ceiling)
        right = ceiling if following == -1 else following
    return left, right


def _wraps(text: str, line_start: int) -> bool:
    """Whether the line starting at ``line_start`` continues the previous line's sentence."""
    previous = text[max(0, line_start - 3) : line_start].rstrip("\r\n")
    following = text[line_start : line_start + 80].lstrip(" \t")
    if not previous or not following:
        return False
    last, first = previous[-1], following[0]
    return (last.isalpha() or last in ",;") and first.islower()


def _word_start(text: str, index: int) -> int:
    index = max(0, index)
    while index > 0 and not text[index - 1].isspace():
        index -= 1
    return index


def _word_end(text: str, index: int) -> int:
    index = min(len(text), index)
    while index < len(text) and not text[index].isspace():
        index += 1
    return index


def quote_of(text: str, start: int, end: int, spans: tuple[tuple[int, int], ...] = ()) -> str:
    """The sentence around ``text[start:end]``, verbatim but for white space collapsed."""
    return _collapsed(text, *sentence_span(text, start, end, spans))


def _collapsed(text: str, left: int, right: int) -> str:
    return " ".join(text[left:right].split())


# ---------------------------------------------------------------------------------------------
# The skeleton


def draft_facts(text: str, source_name: str) -> str:
    """The facts skeleton (YAML text) for the report text ``text`` named ``source_name``."""
    found = findings(text)
    # the indicators' spans: sorted and never overlapping (find_iocs claims each span once)
    spans = tuple((item.start, item.end) for item in found if item.section == "observables")
    sentences = Sentences(text, spans)
    fact_of_quote: dict[str, str] = {}
    entries: dict[str, dict[str, tuple[Finding, list[str]]]] = {
        "observables": {},
        "vulnerabilities": {},
        "attack_patterns": {},
    }
    for item in found:
        quote = _collapsed(text, *sentences.span(item.start, item.end))
        fact_id = fact_of_quote.setdefault(quote, f"F{len(fact_of_quote) + 1:03d}")
        section = entries[item.section]
        if item.key in section:
            if fact_id not in section[item.key][1]:
                section[item.key][1].append(fact_id)
        else:
            section[item.key] = (item, [fact_id])
    return "".join(_skeleton(source_name, fact_of_quote, entries))


def _skeleton(
    source_name: str,
    fact_of_quote: dict[str, str],
    entries: dict[str, dict[str, tuple[Finding, list[str]]]],
) -> Iterator[str]:
    counts = ", ".join(f"{len(items)} {section}" for section, items in entries.items())
    yield f"# Draft facts for {source_name}, written by `stix-mtac draft` ({counts}).\n"
    yield "# A skeleton for review, not a finished facts file: every TODO needs a reader, and\n"
    yield "# every finding needs checking (a machine found it; a person decides what it means).\n"
    yield "# Format: docs/facts-format.md. Quotes are verbatim sentences of the source.\n"
    yield "schema_version: 2\n\n"
    yield "report:\n"
    yield '  key: TODO\n  title: "TODO"\n  published: "TODO (YYYY-MM-DD)"\n'
    yield '  timestamp: "TODO (YYYY-MM-DDT00:00:00.000Z)"\n'
    yield f"  source_text: {_scalar(source_name)}\n"
    yield "  authors: [identity/TODO]\n  facts: [TODO]\n  description: TODO\n\n"
    yield "markings:\n  default: [TODO]  # the report's marking, e.g. tlp2:clear or tlp1:white\n\n"
    yield "identities: []  # TODO: the authors\n\n"
    yield "facts:\n"
    if not fact_of_quote:
        yield "  []  # nothing found; write the facts by hand\n"
    for quote, fact_id in fact_of_quote.items():
        yield f"  - id: {fact_id}\n"
        yield '    claim: "TODO: what does this sentence claim?"\n'
        yield f"    quote: {_scalar(quote)}\n"
        yield "    wording: TODO  # the sentence's estimative words; see data/confidence.yaml\n"
    for section, items in entries.items():
        if not items:
            continue
        yield f"\n{section}:\n"
        for item, fact_ids in items.values():
            yield from _entry(item, fact_ids)


def _entry(item: Finding, fact_ids: Iterable[str]) -> Iterator[str]:
    comment = f"  # {item.comment}" if item.comment else ""
    yield f"  - key: {_scalar(item.key)}{comment}\n"
    for name, value in item.fields:
        yield f"    {name}: {_scalar(value)}\n"
    yield f"    facts: [{', '.join(fact_ids)}]\n"


def _scalar(value: object) -> str:
    """A YAML flow scalar: JSON is valid YAML, and double-quoted JSON strings need no escaping
    rules of their own."""
    plain = isinstance(value, str) and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._/-]*", value)
    if plain and str(value).lower() not in ("yes", "no", "true", "false", "null", "on", "off"):
        return str(value)
    return json.dumps(value, ensure_ascii=False)
