"""Benchmark bundle families beside ``generate.py``'s mix (deterministic: same seed, same bytes).

- ``mix``: ``generate.py``'s realistic mix (20 % indicators, ~40 % relationships).
- ``patterns``: 80 % indicators whose STIX patterns are drawn from templates of the spec's
  constructs (observation operators, qualifiers, ``_ref`` and list paths, every literal kind,
  every comparison operator), written independently of the parser's test generator; the
  rest identities, malware and ``indicates`` relationships. About 2 % of the patterns carry a
  hash value of the wrong length (C112), as feeds do.
- ``relationships``: relationships only, between ids of many types (a TAXII relationship
  feed); some relationship types are not suggested by the spec (check 202).
- ``attack-ics``, ``attack-mobile``: MITRE ATT&CK ICS 18.1 and Mobile 17.1 as published, read
  from a snapshot of mitre-attack/attack-stix-data (``--attack-git``, a git directory) or from
  a directory holding ``ics-attack-18.1.json``/``mobile-attack-17.1.json`` (``--attack-dir``).
  Not committed (size and licence): fetched at benchmark time.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import TLP_CLEAR, Maker, generate

ATTACK_FILES = {
    "attack-ics": "ics-attack/ics-attack-18.1.json",
    "attack-mobile": "mobile-attack/mobile-attack-17.1.json",
}
SYNTHETIC = ("mix", "patterns", "relationships")


class PatternMaker:
    """STIX patterns from templates: each call picks constructs and fills in fresh values."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def hexes(self, length: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(length))

    def ip(self) -> str:
        return ".".join(str(self.rng.randint(1, 254)) for _ in range(4))

    def domain(self) -> str:
        word = "".join(self.rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(8))
        return f"{word}.{self.rng.choice(['com', 'net', 'org', 'info'])}"

    def timestamp(self, year: int) -> str:
        month, day = self.rng.randint(1, 12), self.rng.randint(1, 28)
        return f"t'{year}-{month:02d}-{day:02d}T{self.rng.randint(0, 23):02d}:00:00Z'"

    def comparison(self) -> str:
        r = self.rng
        templates: list[Callable[[], str]] = [
            lambda: f"file:hashes.'SHA-256' = '{self.hexes(64)}'",
            lambda: f"file:hashes.MD5 = '{self.hexes(32)}'",
            lambda: f"file:hashes.'SHA-1' != '{self.hexes(40)}'",
            lambda: f"file:name LIKE '%{self.hexes(6)}.exe'",
            lambda: f"file:name MATCHES '^[a-z]{{3}}{self.hexes(4)}\\\\.dll$'",
            lambda: f"file:size > {r.randint(1000, 10**7)}",
            lambda: f"file:size <= {r.randint(10, 999)}",
            lambda: f"file:parent_directory_ref.path = 'C:\\\\Users\\\\{self.hexes(5)}'",
            lambda: f"file:content_ref.hashes.MD5 = '{self.hexes(32)}'",
            lambda: f"file:ctime > {self.timestamp(2022)}",
            lambda: f"url:value = 'https://{self.domain()}/{self.hexes(8)}'",
            lambda: f"url:value MATCHES '^https?://{self.hexes(5)}'",
            lambda: f"domain-name:value = '{self.domain()}'",
            lambda: f"domain-name:resolves_to_refs[*].value = '{self.ip()}'",
            lambda: f"ipv4-addr:value = '{self.ip()}'",
            lambda: f"ipv4-addr:value ISSUBSET '{self.ip()}/24'",
            lambda: f"ipv6-addr:value ISSUPERSET '2001:db8::/{r.randint(16, 64)}'",
            lambda: f"network-traffic:dst_ref.value = '{self.ip()}'",
            lambda: f"network-traffic:dst_port IN ({r.randint(1, 1024)}, 443, 8443)",
            lambda: f"network-traffic:protocols[0] = '{r.choice(['tcp', 'udp'])}'",
            lambda: "network-traffic:extensions.'http-request-ext'.request_method = 'POST'",
            lambda: f"email-message:from_ref.value = 'ops@{self.domain()}'",
            lambda: f"email-message:to_refs[*].value = 'x@{self.domain()}'",
            lambda: f"email-message:subject NOT LIKE '%invoice{r.randint(1, 99)}%'",
            lambda: f"email-message:is_multipart = {r.choice(['true', 'false'])}",
            lambda: f"process:command_line MATCHES 'powershell.*-enc {self.hexes(6)}'",
            lambda: f"process:pid = {r.randint(2, 65535)}",
            lambda: f"process:image_ref.name = '{self.hexes(6)}.exe'",
            lambda: (
                f"windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\\\Software\\\\{self.hexes(6)}'"
            ),
            lambda: f"windows-registry-key:values[*].data = '{self.hexes(10)}'",
            lambda: f"x509-certificate:serial_number = '{self.hexes(16)}'",
            lambda: f"x509-certificate:validity_not_after < {self.timestamp(2021)}",
            lambda: f"artifact:payload_bin = b'{r.choice(['aGVsbG8=', 'd29ybGQh', 'AAAA'])}'",
            lambda: f"artifact:payload_bin = h'{self.hexes(8)}'",
            lambda: f"software:name IN ('{self.hexes(4)}', '{self.hexes(5)}')",
            lambda: f"mutex:name = 'Global\\\\{self.hexes(8)}'",
            lambda: f"user-account:account_login = '{self.hexes(6)}'",
            lambda: f"autonomous-system:number = {r.randint(1, 65000)}",
            lambda: f"mac-addr:value = '00:1b:{self.hexes(2)}:{self.hexes(2)}:00:01'",
            lambda: f"directory:path NOT = '/tmp/{self.hexes(4)}'",
        ]
        return r.choice(templates)()

    def comparisons(self, depth: int = 0) -> str:
        r = self.rng
        parts = []
        for _ in range(r.choice([1, 1, 2, 2, 3, 4])):
            if depth < 2 and r.random() < 0.15:
                parts.append("(" + self.comparisons(depth + 1) + ")")
            else:
                parts.append(self.comparison())
        text = parts[0]
        for part in parts[1:]:
            text += f" {r.choice(['AND', 'OR', 'OR'])} {part}"
        return text

    def qualifier(self) -> str:
        r = self.rng
        kind = r.choice(["WITHIN", "REPEATS", "START"])
        if kind == "WITHIN":
            return f" WITHIN {r.choice([str(r.randint(1, 3600)), '2.5'])} SECONDS"
        if kind == "REPEATS":
            return f" REPEATS {r.randint(2, 9)} TIMES"
        return f" START {self.timestamp(2020)} STOP {self.timestamp(2021)}"

    def observation(self, depth: int = 0) -> str:
        r = self.rng
        if depth < 2 and r.random() < 0.12:
            inner = self.observations(depth + 1)
            text = f"({inner})"
        else:
            text = f"[{self.comparisons()}]"
        if r.random() < 0.2:
            text += self.qualifier()
        return text

    def observations(self, depth: int = 0) -> str:
        r = self.rng
        text = self.observation(depth)
        for _ in range(r.choice([0, 0, 0, 1, 1, 2])):
            text += f" {r.choice(['AND', 'OR', 'FOLLOWEDBY'])} {self.observation(depth)}"
        return text

    def pattern(self) -> str:
        if self.rng.random() < 0.02:
            return f"[file:hashes.'SHA-256' = '{self.hexes(63)}']"  # one digit short: C112
        return self.observations()


def patterns_bundle(count: int, seed: int = 11) -> dict[str, Any]:
    maker = Maker(seed)
    patterns = PatternMaker(maker.rng)
    identity = maker.common("identity", None)
    identity.update(name="Benchmark feed", identity_class="organization")
    creator = identity["id"]
    objects: list[dict[str, Any]] = [identity]
    malware_ids = []
    for n in range(max(1, count // 20)):
        malware = maker.common("malware", creator)
        malware.update(name=f"Family {n}", is_family=True, malware_types=["trojan"])
        objects.append(malware)
        malware_ids.append(malware["id"])
    indicators = []
    while len(objects) < count * 85 // 100:
        indicator = maker.common("indicator", creator)
        indicator.update(
            name=f"Indicator {len(indicators)}",
            description="Observed in the benchmark feed.",
            indicator_types=["malicious-activity"],
            pattern=patterns.pattern(),
            pattern_type="stix",
            pattern_version="2.1",
            valid_from=indicator["created"],
        )
        objects.append(indicator)
        indicators.append(indicator["id"])
    while len(objects) < count:
        relationship = maker.common("relationship", creator)
        relationship.update(
            relationship_type="indicates",
            source_ref=maker.rng.choice(indicators),
            target_ref=maker.rng.choice(malware_ids),
        )
        objects.append(relationship)
    objects[-1] = _tlp_clear()
    return {"type": "bundle", "id": maker.uid("bundle"), "objects": objects}


def _tlp_clear() -> dict[str, Any]:
    """The TLP:CLEAR definition the objects are marked with (as generate.py ships it)."""
    tlp: dict[str, Any] = generate(20)["objects"][-1]
    assert tlp["id"] == TLP_CLEAR
    return tlp


_ENDS = ("threat-actor", "intrusion-set", "campaign", "malware", "tool", "attack-pattern")
_TYPES = (
    ("uses", 6),
    ("attributed-to", 2),
    ("targets", 3),
    ("indicates", 2),
    ("related-to", 2),
    ("mitigates", 1),
    ("variant-of", 1),
    ("hosts", 1),  # not suggested between most of these types: check 202
)


def relationships_bundle(count: int, seed: int = 13) -> dict[str, Any]:
    maker = Maker(seed)
    ids = {kind: [maker.uid(kind) for _ in range(max(2, count // 50))] for kind in _ENDS}
    ids["identity"] = [maker.uid("identity") for _ in range(20)]
    ids["indicator"] = [maker.uid("indicator") for _ in range(max(2, count // 50))]
    ids["course-of-action"] = [maker.uid("course-of-action") for _ in range(20)]
    kinds = [kind for kind, weight in _TYPES for _ in range(weight)]
    sources = {
        "indicates": ("indicator",),
        "mitigates": ("course-of-action",),
        "targets": ("threat-actor", "campaign", "malware"),
    }
    creator = ids["identity"][0]
    objects = []
    for _ in range(count):
        kind = maker.rng.choice(kinds)
        source_type = maker.rng.choice(sources.get(kind, _ENDS))
        target_type = "identity" if kind == "targets" else maker.rng.choice(_ENDS)
        relationship = maker.common("relationship", creator)
        relationship.update(
            relationship_type=kind,
            source_ref=maker.rng.choice(ids[source_type]),
            target_ref=maker.rng.choice(ids[target_type]),
        )
        relationship["object_marking_refs"] = [TLP_CLEAR]
        objects.append(relationship)
    objects[-1] = _tlp_clear()
    return {"type": "bundle", "id": maker.uid("bundle"), "objects": objects}


def attack_bundle(family: str, attack_git: Path | None, attack_dir: Path | None) -> bytes:
    path = ATTACK_FILES[family]
    if attack_dir is not None:
        return (attack_dir / Path(path).name).read_bytes()
    if attack_git is None:
        raise SystemExit(f"{family}: give --attack-git (a snapshot of attack-stix-data)")
    return subprocess.run(
        ["git", "--git-dir", str(attack_git), "show", f"HEAD:{path}"],
        check=True,
        capture_output=True,
    ).stdout


def write_family(
    family: str,
    count: int,
    directory: Path,
    *,
    attack_git: Path | None = None,
    attack_dir: Path | None = None,
) -> Path:
    """The family's bundle file in ``directory`` (made once; same bytes every time)."""
    if family in ATTACK_FILES:
        path = directory / f"{family}.json"
        if not path.exists():
            path.write_bytes(attack_bundle(family, attack_git, attack_dir))
        return path
    path = directory / f"{family}-{count}.json"
    if not path.exists():
        makers: dict[str, Callable[[int], dict[str, Any]]] = {
            "mix": generate,
            "patterns": patterns_bundle,
            "relationships": relationships_bundle,
        }
        bundle = makers[family](count)
        path.write_text(json.dumps(bundle, indent=1) + "\n", encoding="utf-8")
    return path


def object_count(path: Path) -> int:
    return len(json.loads(path.read_bytes())["objects"])
