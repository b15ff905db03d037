"""The built-in MTAC bundle, modelled as an analyst would model it (issue 11).

Every expectation here comes from outside the code under test: the sentences of the source text
(read from the cleaned copy, not from the facts file's claims), the WEP table of STIX 2.1
Appendix A (through stix2's own transcription of it, ``stix2.confidence.scales``), the names
and references in ATT&CK's and DISARM's own STIX data, and OpenCTI's reference set of sectors.
The committed bundle is what is read: what a TIP would import.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from stix2.confidence.scales import value_to_wep, wep_to_value

REPO = Path(__file__).resolve().parent.parent
BUNDLE = REPO / "bundles" / "mtac-east-asia-2023-09-07.json"
SOURCE = REPO / "stix_mtac" / "data" / "reports" / "mtac-east-asia-2023-09-07.source.txt"
POST_URL = (
    "https://blogs.microsoft.com/on-the-issues/2023/09/07/"
    "digital-threats-cyberattacks-east-asia-china-north-korea/"
)

Obj = dict[str, Any]


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


BUNDLE_OBJECTS: list[Obj] = json.loads(BUNDLE.read_text(encoding="utf-8"))["objects"]
SOURCE_TEXT = _squash(SOURCE.read_text(encoding="utf-8"))
BY_ID = {obj["id"]: obj for obj in BUNDLE_OBJECTS}


def of_type(kind: str) -> list[Obj]:
    return [obj for obj in BUNDLE_OBJECTS if obj["type"] == kind]


def named(name: str) -> Obj:
    (found,) = [obj for obj in BUNDLE_OBJECTS if obj.get("name") == name]
    return found


def note(abstract: str) -> Obj:
    (found,) = [obj for obj in of_type("note") if obj["abstract"] == abstract]
    return found


def name_of(object_id: str) -> str:
    obj = BY_ID[object_id]
    if obj["type"] == "relationship":
        return generated_sentence(obj)
    return str(obj.get("name") or obj.get("abstract") or obj["id"])


def generated_sentence(rel: Obj) -> str:
    """The sentence the builder opens a relationship's description with: its two ends' names."""
    verb = rel["relationship_type"].replace("-", " ")
    return f"{name_of(rel['source_ref'])} {verb} {name_of(rel['target_ref'])}."


def relationships(kind: str | None = None) -> list[Obj]:
    return [
        obj for obj in of_type("relationship") if kind is None or obj["relationship_type"] == kind
    ]


# A provenance line as the bundle writes it: - "quote" (publisher, fact ID, confidence N)
PROVENANCE = re.compile(
    r'^- "(?P<quote>.*)" \((?P<origin>.+), fact (?P<fact>\w+), confidence (?P<c>\d+)\)$'
)
# The generated relation lines ("Targets: ...") name other objects; they are not claims.
RELATION_LINE = re.compile(
    r"^(Targets|Targeted by|Uses|Used by|Located in|Location of|Attributed to|Responsible for|"
    r"Originates from|Origin of|Mitigated by|Mitigates): .*\.$"
)


def text_of(obj: Obj) -> str:
    return str(obj.get("description") or obj.get("content") or "")


def cited(obj: Obj) -> list[dict[str, str]]:
    """The provenance lines of an object's text: its quotes, facts and their confidence."""
    found = []
    for line in text_of(obj).splitlines():
        match = PROVENANCE.match(line)
        if match:
            found.append(match.groupdict())
    return found


def prose(obj: Obj) -> str:
    """The authored part of an object's text: without relation lines and provenance."""
    text = text_of(obj)
    if obj["type"] == "relationship":
        opening = generated_sentence(obj)
        assert text.startswith(opening)
        text = text[len(opening) :].lstrip()
    kept = [
        paragraph
        for paragraph in text.split("\n\n")
        if not paragraph.startswith(("Source:", "Written by: "))
        and not all(RELATION_LINE.match(line) for line in paragraph.splitlines())
    ]
    return " ".join(kept)


def described() -> Iterator[Obj]:
    for obj in BUNDLE_OBJECTS:
        if obj["type"] in ("marking-definition",) or not text_of(obj):
            continue
        if obj["created_by_ref"] == obj["id"]:  # the creator describes itself, not the report
            continue
        yield obj


# ---- every statement backed by a cited quote ----------------------------------------------

# Who says it, and the words every sentence may start with: not claims about the world.
ATTRIBUTION = {"MTAC", "Microsoft", "Threat", "Analysis", "Center"}
SENTENCE_STARTS = {
    "A", "The", "They", "These", "This", "It", "Its", "Other", "Several", "Multiple", "More",
    "Regional", "State", "With", "Beginning", "Author", "General", "Manager",
}  # fmt: skip
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# Capitalised words and initialisms: U.S., CRI, Storm-0558, China-affiliated, AI-generated.
PROPER = re.compile(r"\b[A-Z](?:\.[A-Z])+\.?|\b[A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*")
MONTHS = {"January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"}  # fmt: skip


def unbacked(text: str, quotes: str) -> list[str]:
    """The numbers and names of ``text`` that none of the quotes contains."""
    missing = [number for number in NUMBER.findall(text) if number not in quotes]
    for word in PROPER.findall(text):
        base = word.rstrip(".")
        if base in ATTRIBUTION or base in SENTENCE_STARTS:
            continue
        if base in MONTHS and base[:3] in quotes:  # "Sep 7, 2023" backs "September"
            continue
        if base not in quotes and base.split("-")[0] not in quotes:
            missing.append(word)
    return missing


def test_every_cited_report_quote_is_a_sentence_of_the_source() -> None:
    report_quotes = [
        line
        for obj in described()
        for line in cited(obj)
        if line["origin"] == "MTAC announcement post"
    ]
    assert len(report_quotes) > 50
    for line in report_quotes:
        assert _squash(line["quote"]) in SOURCE_TEXT, line["fact"]


@pytest.mark.parametrize(
    "obj", list(described()), ids=lambda obj: f"{obj['type']}:{name_of(obj['id'])}"
)
def test_numbers_names_and_dates_of_a_description_occur_in_its_quotes(obj: Obj) -> None:
    quotes = " ".join(line["quote"] for line in cited(obj))
    assert quotes, "every described object cites at least one sentence"
    assert unbacked(prose(obj), quotes) == []


@pytest.mark.parametrize(
    "obj",
    [obj for obj in BUNDLE_OBJECTS if obj.get("goals") or obj.get("objective")],
    ids=lambda obj: name_of(obj["id"]),
)
def test_goals_and_objectives_are_the_words_of_their_quotes(obj: Obj) -> None:
    quotes = " ".join(line["quote"] for line in cited(obj)).lower()
    for goal in [*obj.get("goals", ()), *([obj["objective"]] if "objective" in obj else [])]:
        words = [word for word in re.findall(r"[a-z']+", goal.lower()) if len(word) > 3]
        assert [word for word in words if word not in quotes] == [], goal


def test_the_check_catches_an_unbacked_number_and_name() -> None:
    quote = (
        "Storm-0558 accessed Microsoft customer email accounts of approximately 25 organizations"
    )
    assert unbacked("Storm-0558 accessed 25 accounts.", quote) == []
    assert unbacked("Storm-0558 accessed 26 accounts in Ukraine.", quote) == ["26", "Ukraine"]


@pytest.mark.parametrize(
    "statement",
    [
        # Not carried by any fact: removed (issue 11).
        "material support for Russia",
        "earlier ones covered Russia and Iran",
        "earlier editions covered",
        "Intelligence on a high-priority area",
        "Outlook Web Access",
    ],
)
def test_statements_without_a_fact_are_gone(statement: str) -> None:
    for obj in BUNDLE_OBJECTS:
        assert statement not in json.dumps(obj), name_of(obj["id"])


# ---- actors: cyber apart from influence --------------------------------------------------

CYBER = {"Chinese state-affiliated threat actors", "Storm-0558"}
INFLUENCE = {"China-affiliated influence actors", "Chinese state-media influencer network"}


def test_cyber_and_influence_actors_are_separate_and_unconnected() -> None:
    ids = {named(name)["id"] for name in CYBER | INFLUENCE}
    assert len(ids) == 4
    for rel in relationships():
        ends = {name_of(rel["source_ref"]), name_of(rel["target_ref"])}
        assert not (ends & CYBER and ends & INFLUENCE), ends
    # Each actor's own words: the source calls the cyber ones "Chinese state-affiliated threat
    # actors" and the imagery ones "China-affiliated actors".
    assert "Chinese state-affiliated threat actors" in SOURCE_TEXT
    assert "China-affiliated actors" in SOURCE_TEXT


def test_the_influence_campaign_is_attributed_to_an_influence_actor() -> None:
    campaign = named("China AI-generated imagery influence campaign")["id"]
    (attribution,) = [r for r in relationships("attributed-to") if r["source_ref"] == campaign]
    assert name_of(attribution["target_ref"]) == "China-affiliated influence actors"


def test_not_combining_cyber_and_influence_is_a_note_on_both() -> None:
    sentence = "we have not observed China to combine cyber and influence together"
    assert sentence in SOURCE_TEXT
    (carrier,) = [obj for obj in of_type("note") if sentence in obj["content"]]
    refs = {name_of(ref) for ref in carrier["object_refs"]}
    assert refs >= CYBER | INFLUENCE


# ---- S16: an outlook, not targeting ------------------------------------------------------

OUTLOOK = "Taiwan and the United States are likely to remain top priorities for China"


def test_the_2024_outlook_is_a_note_and_no_relationship() -> None:
    assert OUTLOOK in SOURCE_TEXT
    for rel in relationships():
        assert OUTLOOK not in rel["description"]
    (carrier,) = [obj for obj in of_type("note") if OUTLOOK in obj["content"]]
    assert {"Taiwan", "United States"} <= {name_of(ref) for ref in carrier["object_refs"]}
    assert value_to_wep(carrier["confidence"]) == "Likely/Probable"  # "likely"


def test_the_outlook_does_not_lower_the_countries() -> None:
    for country in ("United States", "Taiwan"):
        assert value_to_wep(named(country)["confidence"]) == "Highly likely/Almost Certain"
        assert all(OUTLOOK not in line["quote"] for line in cited(named(country)))


# ---- campaigns only where the source says campaign ----------------------------------------


def test_campaigns_are_the_two_the_source_calls_campaigns() -> None:
    campaigns = {obj["name"]: obj for obj in of_type("campaign")}
    assert set(campaigns) == {
        "Storm-0558 access to Microsoft customer email",
        "China AI-generated imagery influence campaign",
    }
    for campaign in campaigns.values():
        assert any("campaign" in line["quote"] for line in cited(campaign)), campaign["name"]


@pytest.mark.parametrize(
    ("actor", "target", "sentence"),
    [
        ("Chinese state-affiliated threat actors", "South China Sea region",
         "focused cyberattacks in the South China Sea region"),
        ("Chinese state-affiliated threat actors", "Defense industry",
         "Other actors have targeted the U.S. defense industry and U.S. infrastructure"),
        ("Chinese state-affiliated threat actors", "Infrastructure",
         "Other actors have targeted the U.S. defense industry and U.S. infrastructure"),
        ("North Korean threat actors", "Maritime transport",
         "have targeted the maritime and shipbuilding sectors"),
        ("North Korean threat actors", "Russia",
         "have recently targeted the Russian government and defense industry"),
    ],
)  # fmt: skip
def test_trend_statements_are_the_actors_own_targets(
    actor: str, target: str, sentence: str
) -> None:
    assert sentence in SOURCE_TEXT
    (rel,) = [
        r
        for r in relationships("targets")
        if name_of(r["source_ref"]) == actor and name_of(r["target_ref"]) == target
    ]
    assert any(sentence in line["quote"] for line in cited(rel))
    assert value_to_wep(rel["confidence"]) == "Highly likely/Almost Certain"  # plain statements
    assert prose(rel), "its own description"


def test_storm_0558_campaign_starts_in_the_month_the_source_gives() -> None:
    campaign = named("Storm-0558 access to Microsoft customer email")
    match = re.search(r"Beginning in (\w+) (\d{4})", SOURCE_TEXT)
    assert match is not None
    month = [
        "January", "February", "March", "April", "May", "June", "July", "August",
        "September", "October", "November", "December",
    ].index(match.group(1)) + 1  # fmt: skip
    assert campaign["first_seen"].startswith(f"{match.group(2)}-{month:02d}-01T00:00:00")
    assert any(match.group(0) in line["quote"] for line in cited(campaign)), "with its source"


# ---- confidence per claim, on Appendix A's scale -------------------------------------------

# The band of STIX 2.1 Appendix A's WEP table each estimative phrase of the source falls in.
BAND_OF_PHRASE = {
    "Microsoft assesses this activity was likely conducted for espionage purposes":
        "Likely/Probable",
    "most likely created by something called diffusion-powered image generators": "Likely/Probable",
    "We can expect China to continue to hone this technology over time": "Likely/Probable",
    "it remains to be seen how and when it will deploy it at scale": "Even Chance",
    "suggesting this as a high-priority area for the North Korean government": "Likely/Probable",
    "likely for intelligence collection": "Likely/Probable",
    OUTLOOK: "Likely/Probable",
}  # fmt: skip


@pytest.mark.parametrize(("phrase", "band"), BAND_OF_PHRASE.items())
def test_a_hedge_is_a_note_at_its_own_band(phrase: str, band: str) -> None:
    assert phrase in SOURCE_TEXT
    carriers = [obj for obj in BUNDLE_OBJECTS if any(phrase in q["quote"] for q in cited(obj))]
    assert carriers, phrase
    for obj in carriers:
        # the note saying the hedge; nothing else cites its sentence
        assert obj["type"] == "note", name_of(obj["id"])
        assert obj["confidence"] == wep_to_value(band)


def test_observed_activity_is_not_lowered_by_its_hedged_motive() -> None:
    almost_certain = wep_to_value("Highly likely/Almost Certain")
    assert named("Storm-0558 access to Microsoft customer email")["confidence"] == almost_certain
    assert named("Storm-0558")["confidence"] == almost_certain
    assert named("China AI-generated imagery influence campaign")["confidence"] == almost_certain
    deepfakes = named("Develop AI-Generated Images (Deepfakes)")["id"]
    (uses,) = [r for r in relationships("uses") if r["target_ref"] == deepfakes]
    assert uses["confidence"] == almost_certain  # AI generation is observed
    diffusion = note("How the images are most likely made")
    assert uses["id"] in diffusion["object_refs"]
    assert diffusion["confidence"] == wep_to_value("Likely/Probable")


def test_the_other_democracies_audience_is_a_fact_of_the_bundle() -> None:
    sentence = "could go viral across social networks in the U.S. and other democracies"
    assert sentence in SOURCE_TEXT
    carriers = [obj for obj in BUNDLE_OBJECTS if any(sentence in q["quote"] for q in cited(obj))]
    assert [obj["type"] for obj in carriers] == ["note"]
    assert "other democracies" in carriers[0]["content"]


def test_every_confidence_is_the_value_of_a_wep_band() -> None:
    values = {wep_to_value(band) for band in (
        "Impossible", "Highly Unlikely/Almost Certainly Not", "Unlikely/Probably Not",
        "Even Chance", "Likely/Probable", "Highly likely/Almost Certain", "Certain",
    )}  # fmt: skip
    for obj in BUNDLE_OBJECTS:
        if "confidence" in obj:
            assert obj["confidence"] in values, name_of(obj["id"])


def test_the_msrc_fact_is_graded_by_its_source_and_wording_not_below_likely() -> None:
    forge = named("Forge Web Credentials")["id"]
    (uses,) = [r for r in relationships("uses") if r["target_ref"] == forge]
    (line,) = [line for line in cited(uses) if line["origin"] != "MTAC announcement post"]
    assert line["origin"] == "Microsoft Security Response Center"
    assert value_to_wep(int(line["c"])) == "Highly likely/Almost Certain"
    assert uses["external_references"][0]["source_name"] == "Microsoft Security Response Center"


# ---- techniques as the catalogues' own objects --------------------------------------------

# From ATT&CK's STIX (enterprise-attack, 18.1) and DISARM's (generated_files/DISARM_STIX):
# name, and the first external reference exactly as those objects carry it.
CATALOGUE = {
    "T1114.002": ("Remote Email Collection", "mitre-attack",
                  "https://attack.mitre.org/techniques/T1114/002"),
    "T1606": ("Forge Web Credentials", "mitre-attack", "https://attack.mitre.org/techniques/T1606"),
    "T0086.002": ("Develop AI-Generated Images (Deepfakes)", "mitre-attack",
                  "https://github.com/DISARMFoundation/DISARMframeworks/blob/main/generated_pages/techniques/T0086.002.md"),
    "T0097.101": ("Local Persona", "mitre-attack",
                  "https://github.com/DISARMFoundation/DISARMframeworks/blob/main/generated_pages/techniques/T0097.101.md"),
    "T0101": ("Create Localised Content", "mitre-attack",
              "https://github.com/DISARMFoundation/DISARMframeworks/blob/main/generated_pages/techniques/T0101.md"),
    "T0130.001": ("Conceal Sponsorship", "mitre-attack",
                  "https://github.com/DISARMFoundation/DISARMframeworks/blob/main/generated_pages/techniques/T0130.001.md"),
    "T0144.001": ("Present Persona across Platforms", "mitre-attack",
                  "https://github.com/DISARMFoundation/DISARMframeworks/blob/main/generated_pages/techniques/T0144.001.md"),
}  # fmt: skip


def test_techniques_carry_the_catalogues_names_and_references_only() -> None:
    patterns = of_type("attack-pattern")
    assert len(patterns) == len(CATALOGUE)
    for pattern in patterns:
        reference = pattern["external_references"][0]
        name, source_name, url = CATALOGUE[reference["external_id"]]
        assert pattern["name"] == name
        assert (reference["source_name"], reference["url"]) == (source_name, url)
        # no report prose or report confidence on the catalogue's object
        assert "description" not in pattern and "confidence" not in pattern


def test_opencti_keys_our_techniques_on_the_catalogue_id() -> None:
    """pycti (entities/opencti_attack_pattern.py) takes x_mitre_id from the first reference
    whose source_name starts with "mitre-", and the technique's id from that x_mitre_id alone;
    ours must yield the same id as the catalogue's own object."""
    pycti = pytest.importorskip("pycti")
    for pattern in of_type("attack-pattern"):
        mitre = [r for r in pattern["external_references"] if r["source_name"].startswith("mitre-")]
        technique = mitre[-1]["external_id"]
        name = CATALOGUE[technique][0]
        ours = pycti.AttackPattern.generate_id(pattern["name"], technique)
        assert ours == pycti.AttackPattern.generate_id(name, technique)
        assert ours == pycti.AttackPattern.generate_id("any other name", technique)


def test_the_report_specific_prose_is_on_the_uses_relationships() -> None:
    uses = [r for r in relationships("uses") if BY_ID[r["target_ref"]]["type"] == "attack-pattern"]
    assert len(uses) == len(CATALOGUE)
    for rel in uses:
        assert prose(rel), name_of(rel["target_ref"])


# ---- victims as sectors and countries OpenCTI knows ---------------------------------------

# Names and aliases of OpenCTI's reference sectors (OpenCTI-Platform/datasets, sectors.json)
# that this bundle uses.
OPENCTI_SECTORS = {
    "Government and administrations", "Defense industry", "Maritime transport", "Citizens",
    "Infrastructure",  # an alias of "Heavy industries"
}  # fmt: skip


def test_victim_classes_are_sectors_opencti_knows() -> None:
    classes = [obj for obj in of_type("identity") if obj["identity_class"] == "class"]
    assert classes
    for identity in classes:
        assert identity["name"] in OPENCTI_SECTORS, identity["name"]
    assert all("voters" not in obj.get("name", "") for obj in BUNDLE_OBJECTS)


def test_the_specific_victims_are_on_the_relationships() -> None:
    voters = "U.S. voters across the political spectrum"
    assert voters in SOURCE_TEXT
    citizens = named("Citizens")["id"]
    (rel,) = [r for r in relationships("targets") if r["target_ref"] == citizens]
    assert voters in rel["description"]
    defense = named("Defense industry")["id"]
    texts = [r["description"] for r in relationships("targets") if r["target_ref"] == defense]
    assert any("U.S. defense industry" in text for text in texts)
    assert any("Russian defense industry" in text for text in texts)


def test_countries_are_iso_countries() -> None:
    countries = {obj["name"]: obj.get("country") for obj in of_type("location")}
    assert countries["China"] == "CN" and countries["North Korea"] == "KP"
    assert countries["United States"] == "US" and countries["Russia"] == "RU"
    assert countries["Taiwan"] == "TW"


# ---- the report object is the announcement post --------------------------------------------


def test_the_report_object_is_the_announcement_post() -> None:
    (report,) = of_type("report")
    first_line = SOURCE.read_text(encoding="utf-8").splitlines()[0]
    assert report["name"] == first_line
    assert report["external_references"][0]["url"] == POST_URL
    assert "announcement post" in report["external_references"][0]["description"]
    assert "built from the text of the post only" in report["description"]
