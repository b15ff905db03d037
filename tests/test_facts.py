"""The facts file: its content against the source, and every way a broken one is reported."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from stix_mtac.build import builtin_facts_path, load_facts
from stix_mtac.cli import cli
from stix_mtac.errors import FactsError

BUILTIN = builtin_facts_path()
SOURCE_TEXT = BUILTIN.with_name("mtac-east-asia-2023-09-07.source.txt")
EXAMPLE = Path(__file__).parent / "facts_examples" / "example-iran-style.yaml"

# The 16 facts of ../shared/DOMAIN.md section 2, by id, with words each quote must contain.
SOURCE_FACTS = {
    "S01": ["Sep 7, 2023", "Clint Watts", "General Manager"],
    "S02": ["Sophistication, scope, and scale"],
    "S03": ["semiannual"],
    "S04": ["automatically generate images", "mimic U.S. voters"],
    "S05": ["most likely", "diffusion-powered"],
    "S06": ["AI-generated visual media", "gun violence"],
    "S07": ["South China Sea", "intelligence collection and malware execution"],
    "S08": ["U.S. defense industry", "U.S. infrastructure"],
    "S09": ["Storm-0558", "approximately 25 organizations"],
    "S10": ["230", "masquerade as independent"],
    "S11": ["China Radio International", "103 million", "40 languages"],
    "S12": ["not observed China to combine cyber and influence"],
    "S13": ["cryptocurrency", "revenue for the state"],
    "S14": ["maritime and shipbuilding"],
    "S15": ["Russian government and defense industry"],
    "S15a": ["likely for intelligence collection"],
    "S16": ["2024", "Taiwan and the United States are likely"],
}


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_every_source_fact_is_present_with_its_words() -> None:
    facts = load_facts(BUILTIN).facts
    for fact_id, words in SOURCE_FACTS.items():
        assert fact_id in facts, f"{fact_id} missing"
        for word in words:
            assert word in facts[fact_id].quote, f"{fact_id}: quote lacks {word!r}"


ESTIMATIVE = re.compile(r"\b(likely|probably|assess(es|ed)?|might|could)\b", re.IGNORECASE)


def test_a_quote_that_estimates_is_not_graded_as_plain_fact() -> None:
    """A "likely ..." at the confidence of a stated fact would overstate the report in a TIP."""
    for fact in load_facts(BUILTIN).facts.values():
        if fact.wording in ("stated", "observed"):
            assert not ESTIMATIVE.search(fact.quote), f"{fact.id}: {fact.quote}"
            assert not ESTIMATIVE.search(fact.claim), f"{fact.id}: {fact.claim}"


def test_every_report_quote_occurs_in_the_cleaned_source_text() -> None:
    # Read the YAML directly, not through load_facts, so this does not trust the loader's check.
    raw = yaml.safe_load(BUILTIN.read_text(encoding="utf-8"))
    source = _squash(SOURCE_TEXT.read_text(encoding="utf-8"))
    own = [fact for fact in raw["facts"] if "source" not in fact]
    assert len(own) >= 16
    for fact in own:
        assert _squash(fact["quote"]) in source, fact["id"]


def test_outside_facts_name_a_source_and_score_by_its_grade_and_their_wording() -> None:
    """An outside fact's grade (its source's reliability) caps what its wording gets; where a
    claim came from is said by its source, not by scoring it below the report's "likely"."""
    loaded = load_facts(BUILTIN)
    outside = [fact for fact in loaded.facts.values() if not fact.from_report]
    assert outside, "expected at least one outside fact (E13)"
    for fact in outside:
        assert fact.source in loaded.sources
    # E13: MSRC, first-hand on Microsoft's own service (grade high), a plain statement: the
    # WEP band of a plain statement, "Highly likely/Almost Certain" (80-99).
    assert 80 <= loaded.facts["E13"].confidence <= 99


@pytest.mark.parametrize(
    ("grade", "wording", "band"),
    [
        # The WEP band (STIX 2.1 Appendix A) each combination must land in: the grade is a
        # ceiling, the wording sets the value under it (data/confidence.yaml).
        ("high", "stated", (80, 99)),
        ("high", "likely", (60, 79)),
        ("medium", "stated", (60, 79)),
        ("low", "stated", (20, 39)),
        ("low", "likely", (20, 39)),
    ],
)
def test_an_outside_fact_is_graded_by_source_and_wording(
    tmp_path: Path, grade: str, wording: str, band: tuple[int, int]
) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.replace(
        "markings:\n",
        "sources:\n  - {key: elsewhere, source_name: Elsewhere, description: another report}\n"
        "markings:\n",
        1,
    )
    text = text.replace(
        "identities:\n",
        "  - id: E1\n    claim: x\n    quote: elsewhere\n    source: elsewhere\n"
        f"    grade: {grade}\n    wording: {wording}\n"
        "identities:\n",
        1,
    )
    text = text.replace(
        "    facts: [F1]\n    description: An actor",
        "    facts: [F1, E1]\n    description: An actor",
        1,
    )
    fact = load_facts(_write(tmp_path, text)).facts["E1"]
    assert band[0] <= fact.confidence <= band[1]


@pytest.mark.parametrize(
    "furniture",
    [
        "Russia's African coup strategy",
        "India's AI Opportunity",
        "Related Blogs",
        "More Cybersecurity Stories",
        "Tags:",
        "© Microsoft",
        "Surface Laptop",
        "<u>",
    ],
)
def test_cleaned_source_text_has_no_page_furniture(furniture: str) -> None:
    assert furniture not in SOURCE_TEXT.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "ocr_error", ["cyberdarpablities", "Algenerated", "nëw", " Al ", " Al,", " Al:"]
)
def test_cleaned_source_text_has_no_ocr_errors(ocr_error: str) -> None:
    assert ocr_error not in SOURCE_TEXT.read_text(encoding="utf-8")


def test_estimative_wording_sets_confidence_on_the_appendix_a_scale() -> None:
    facts = load_facts(BUILTIN).facts
    # STIX 2.1 Appendix A, WEP scale: "Likely/Probable" is 60-79 (value 70), "Highly
    # likely/Almost Certain" 80-99 (value 90). "likely" and "most likely" are in the first;
    # plain statements and observations in the second.
    assert 60 <= facts["S16"].confidence <= 79
    assert facts["S09a"].wording == "likely" and 60 <= facts["S09a"].confidence <= 79
    assert facts["S05"].wording == "most likely" and 60 <= facts["S05"].confidence <= 79
    assert 80 <= facts["S09"].confidence <= 99


# ---- broken facts files: one line per problem, exit code 3, no traceback ----------------


def _write(tmp_path: Path, body: str, name: str = "broken.yaml") -> Path:
    (tmp_path / "example-iran-style.source.txt").write_text(
        EXAMPLE.with_name("example-iran-style.source.txt").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def _variant(tmp_path: Path, old: str, new: str) -> Path:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert old in text, old
    return _write(tmp_path, text.replace(old, new, 1))


def _export_errors(path: Path, tmp_path: Path) -> list[str]:
    result = CliRunner().invoke(
        cli, ["export", "--facts", str(path), "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists(), "nothing may be written for broken facts"
    return [line for line in result.output.splitlines() if line]


def _line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(needle)


def test_bad_date_names_file_line_and_key_path(tmp_path: Path) -> None:
    path = _variant(tmp_path, 'published: "2024-01-15"', 'published: "2024-13-01"')
    lines = _export_errors(path, tmp_path)
    line = _line_of(path, "2024-13-01")
    assert lines == [
        f"error: broken.yaml:{line}: report.published: '2024-13-01' is not a real date: "
        "month must be in 1..12"
    ]


@pytest.mark.parametrize("impossible", ["2024-02-30T12:00:00.000Z", "2024-01-15T25:00:00.000Z"])
def test_impossible_timestamp_is_a_facts_error_not_a_crash(tmp_path: Path, impossible: str) -> None:
    path = _variant(tmp_path, '"2024-01-15T12:00:00.000Z"', f'"{impossible}"')
    line = _line_of(path, impossible)
    (error,) = _export_errors(path, tmp_path)
    assert error.startswith(
        f"error: broken.yaml:{line}: report.timestamp: '{impossible}' is not a real instant: "
    )


def test_last_seen_before_first_seen_is_a_facts_error(tmp_path: Path) -> None:
    campaign = (
        "campaigns:\n"
        "  - key: example-campaign\n"
        "    name: Example campaign\n"
        '    first_seen: "2023-06-01T00:00:00Z"\n'
        '    last_seen: "2023-05-01T00:00:00Z"\n'
        "    facts: [F1]\n"
        "    description: A campaign.\n"
        "locations:"
    )
    path = _variant(tmp_path, "locations:", campaign)
    line = _line_of(path, "last_seen")
    assert _export_errors(path, tmp_path) == [
        f"error: broken.yaml:{line}: campaigns[0].last_seen: '2023-05-01T00:00:00Z' must be "
        "at or after first_seen '2023-06-01T00:00:00Z'"
    ]


def test_unknown_key_is_reported_at_its_line(tmp_path: Path) -> None:
    path = _variant(
        tmp_path, "    name: Example-Actor-1\n", "    name: Example-Actor-1\n    nmae: typo\n"
    )
    lines = _export_errors(path, tmp_path)
    line = _line_of(path, "nmae")
    assert lines == [
        f"error: broken.yaml:{line}: intrusion_sets[0].nmae: `nmae` is not a key of an entry "
        "of `intrusion_sets` (did you mean `name`? see docs/facts-format.md#intrusion_sets)"
    ]


def test_wrong_type(tmp_path: Path) -> None:
    path = _variant(
        tmp_path,
        "    facts: [F1]\n    description: An actor",
        "    facts: F1\n    description: An actor",
    )
    lines = _export_errors(path, tmp_path)
    assert len(lines) == 1
    assert "intrusion_sets[0].facts: expected array, got a string" in lines[0]


def test_relationship_type_not_suggested_for_the_pair(tmp_path: Path) -> None:
    path = _variant(
        tmp_path,
        "type: targets, target: location/israel",
        "type: located-at, target: location/israel",
    )
    lines = _export_errors(path, tmp_path)
    assert len(lines) == 1
    assert (
        "relationships[0].type: intrusion-set located-at location is not a relationship" in lines[0]
    )
    assert "originates-from" in lines[0], "the message lists what the spec suggests instead"


def test_quote_missing_from_source(tmp_path: Path) -> None:
    path = _variant(
        tmp_path,
        'quote: "The operation used fabricated news personas"',
        'quote: "The operation used invented words"',
    )
    lines = _export_errors(path, tmp_path)
    line = _line_of(path, "invented words")
    (error,) = lines
    assert error.startswith(
        f"error: broken.yaml:{line}: facts[1].quote: quote not found in "
        "example-iran-style.source.txt: "
    )


def test_missing_quote_key(tmp_path: Path) -> None:
    path = _variant(tmp_path, '    quote: "The operation used fabricated news personas"\n', "")
    lines = _export_errors(path, tmp_path)
    line = _line_of(path, "id: F2")
    assert lines == [f"error: broken.yaml:{line}: facts[1]: an entry of `facts` needs `quote`"]


def test_yaml_syntax_error(tmp_path: Path) -> None:
    path = _variant(
        tmp_path,
        "facts: [F1]\n  description: A fictional",
        "facts: [F1\n  description: A fictional",
    )
    lines = _export_errors(path, tmp_path)
    assert len(lines) == 1
    assert re.fullmatch(r"error: broken\.yaml:\d+: YAML syntax error: .+", lines[0])


def test_duplicate_yaml_key(tmp_path: Path) -> None:
    path = _variant(
        tmp_path,
        "markings:\n",
        "markings:\n  default: [tlp2:green]\n",
    )
    lines = _export_errors(path, tmp_path)
    assert len(lines) == 1 and "markings.default: duplicate key (first on line" in lines[0]


def test_empty_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "\n\n")
    assert _export_errors(path, tmp_path) == [
        "error: broken.yaml: the file is empty; expected a facts document"
    ]


def test_file_not_found(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    assert _export_errors(missing, tmp_path) == [f"error: {missing}: no such facts file"]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.replace('published: "2024-01-15"', 'published: "2024-02-30"')
    text = text.replace("default: [tlp2:clear]", "default: [tlp2:purple]")
    text = text.replace("country: IL, region: western-asia", "country: IL, region: middle-earth")
    text = text.replace("facts: [F2]}", "facts: [F9]}")
    text = text.replace("    name: Example-Actor-1\n", "    name: Example-Actor-1\n    nmae: x\n")
    path = _write(tmp_path, text)
    lines = _export_errors(path, tmp_path)
    # A shape error (the unknown key) does not hide the reference errors elsewhere.
    assert [line.split(": ")[2] for line in lines] == [
        "report.published",
        "markings.default[0]",
        "intrusion_sets[0].nmae",
        "locations[0].region",
        "relationships[1].facts[0]",
    ], lines
    assert "'2024-02-30' is not a real date: day is out of range" in lines[0]
    assert "unknown marking 'tlp2:purple'" in lines[1]
    assert "'middle-earth' is not in the STIX vocabulary region-ov" in lines[3]
    assert "no fact with id 'F9'" in lines[4]


def test_a_fact_that_supports_nothing_is_reported(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace("facts: [F2]", "facts: [F1]")
    lines = _export_errors(_write(tmp_path, text), tmp_path)
    assert len(lines) == 1
    assert "facts[1].id: fact F2 supports no object; cite it or drop it" in lines[0]


def test_facts_error_lists_problems_as_lines() -> None:
    error = FactsError(["a.yaml:1: x: one", "a.yaml:2: y: two"])
    assert error.lines() == ["a.yaml:1: x: one", "a.yaml:2: y: two"]
    assert error.exit_code == 3


def test_a_leap_second_is_one_line_not_a_crash(tmp_path: Path) -> None:
    path = _variant(tmp_path, '"2024-01-15T12:00:00.000Z"', '"2016-12-31T23:59:60Z"')
    line = _line_of(path, "23:59:60")
    assert _export_errors(path, tmp_path) == [
        f"error: broken.yaml:{line}: report.timestamp: '2016-12-31T23:59:60Z' is not a real "
        "instant: leap seconds (:60) cannot be written in STIX"
    ]


def test_a_country_outside_iso_3166_is_refused_at_load(tmp_path: Path) -> None:
    path = _variant(tmp_path, "country: IL", "country: XX")
    line = _line_of(path, "country: XX")
    assert _export_errors(path, tmp_path) == [
        f"error: broken.yaml:{line}: locations[0].country: 'XX' is not an ISO 3166-1 alpha-2 "
        "country code"
    ]


def test_an_unknown_technique_names_the_nearest(tmp_path: Path) -> None:
    path = _variant(tmp_path, "technique: T0143.002", "technique: T9999")
    line = _line_of(path, "T9999")
    (error,) = _export_errors(path, tmp_path)
    assert error.startswith(
        f"error: broken.yaml:{line}: attack_patterns[0].technique: 'T9999' is not a technique "
        "of DISARM Red Framework 1.6; nearest: "
    )


def test_a_revoked_attack_technique_says_what_replaced_it(tmp_path: Path) -> None:
    # T1193 (Spearphishing Attachment) was revoked by T1566.001 in ATT&CK (mitre/cti data).
    path = _variant(
        tmp_path,
        "catalogue: disarm\n    technique: T0143.002",
        "catalogue: mitre-attack\n    technique: T1193",
    )
    (error,) = _export_errors(path, tmp_path)
    assert "T1193 (Spearphishing Attachment) is revoked in MITRE ATT&CK Enterprise 18.1" in error
    assert "cite T1566.001 (Spearphishing Attachment) instead" in error


def test_a_schema_version_1_file_says_what_changed(tmp_path: Path) -> None:
    path = _write(tmp_path, "schema_version: 1\nmalware: []\nreport: {}\n")
    lines = _export_errors(path, tmp_path)
    assert len(lines) == 2
    assert "broken.yaml:1: schema_version: schema_version 1 is no longer read" in lines[0]
    assert lines[1] == (
        "error: broken.yaml:2: malware: "
        "`malware` is not supported in schema_version 1; it is from 2"
    )


def test_an_attack_pattern_with_a_description_is_refused_and_says_where_it_goes(
    tmp_path: Path,
) -> None:
    """The technique object carries only the catalogue's text (TIPs merge it with theirs); the
    report's words on it belong on the `uses` relationship."""
    text = EXAMPLE.read_text(encoding="utf-8")
    old = "    technique: T0143.002\n"
    assert old in text
    path = _write(tmp_path, text.replace(old, old + "    description: Fabricated personas.\n"))
    line = _line_of(path, "description: Fabricated personas.")
    assert _export_errors(path, tmp_path) == [
        f"error: broken.yaml:{line}: attack_patterns[0].description: an attack pattern carries "
        "only what its catalogue says; say how this report's actors use it in the description "
        "of their `uses` relationship"
    ]
