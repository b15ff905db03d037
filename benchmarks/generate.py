"""Deterministic, realistic STIX 2.1 bundles for the validation benchmark.

    python benchmarks/generate.py --objects 1000 10000 100000 --out /tmp/stix-mtac-bench

The mix (per 100 objects, roughly): 4 identities, 3 threat actors, 3 intrusion sets,
4 campaigns, 12 attack patterns, 3 locations, 6 malware, 20 indicators with STIX patterns
(distinct values), 2 reports, 1 marking definition, the rest relationships between objects
that exist. A few per cent carry the SHOULD-level findings real bundles have (unsuggested
relationship types, values outside open vocabularies, URLs without hashes), so the finding
comparison is not a comparison of empty lists. Same seed, same bytes.
"""

from __future__ import annotations

import argparse
import json
import random
import uuid
from pathlib import Path
from typing import Any

MIX = (
    ("identity", 4),
    ("threat-actor", 3),
    ("intrusion-set", 3),
    ("campaign", 4),
    ("attack-pattern", 12),
    ("location", 3),
    ("malware", 6),
    ("indicator", 20),
    ("report", 2),
    ("marking-definition", 1),
)
TLP_CLEAR = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
RELATIONSHIPS = (
    ("threat-actor", "uses", "attack-pattern"),
    ("intrusion-set", "uses", "malware"),
    ("campaign", "attributed-to", "intrusion-set"),
    ("indicator", "indicates", "malware"),
    ("campaign", "targets", "location"),
    ("malware", "targets", "identity"),
    ("location", "uses", "malware"),  # not suggested by the spec: check 202
)


class Maker:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.tick = 0

    def uid(self, kind: str) -> str:
        return f"{kind}--{uuid.UUID(int=self.rng.getrandbits(128), version=4)}"

    def time(self) -> str:
        self.tick += 1
        day, rest = divmod(self.tick, 86_400)
        month, date = 1 + day // 28 % 12, 1 + day % 28
        hour, minute, second = rest // 3600, rest // 60 % 60, rest % 60
        return f"2023-{month:02d}-{date:02d}T{hour:02d}:{minute:02d}:{second:02d}.000Z"

    def common(self, kind: str, creator: str | None) -> dict[str, Any]:
        stamp = self.time()
        obj: dict[str, Any] = {
            "type": kind,
            "spec_version": "2.1",
            "id": self.uid(kind),
            "created": stamp,
            "modified": stamp,
            "object_marking_refs": [TLP_CLEAR],
        }
        if creator:
            obj["created_by_ref"] = creator
        return obj

    def sdo(self, kind: str, n: int, creator: str | None) -> dict[str, Any]:
        obj = self.common(kind, creator)
        name = f"{kind} {n}"
        odd = self.rng.random() < 0.03
        if kind == "identity":
            obj.update(name=name, identity_class="group" if odd else "organization")
            obj["sectors"] = ["government", "technology"]
        elif kind == "threat-actor":
            obj.update(name=name, threat_actor_types=["nation-state"], aliases=[f"TA{n}"])
            obj["sophistication"] = "expert"
        elif kind == "intrusion-set":
            obj.update(name=name, aliases=[f"APT-{n}"], primary_motivation="organizational-gain")
        elif kind == "campaign":
            obj.update(name=name, description=f"Operation {n}", first_seen=obj["created"])
        elif kind == "attack-pattern":
            obj.update(name=f"Technique {n}")
            obj["kill_chain_phases"] = [
                {"kill_chain_name": "mitre-attack", "phase_name": "initial-access"}
            ]
            ref: dict[str, Any] = {"source_name": "mitre-attack", "external_id": f"T{n:04d}"}
            if odd:
                ref["url"] = f"https://attack.mitre.org/techniques/T{n:04d}"
            obj["external_references"] = [ref]
        elif kind == "location":
            obj.update(name=name, region="eastern-asia", country="TW")
        elif kind == "malware":
            obj.update(name=name, is_family=True, malware_types=["backdoor" if not odd else "odd"])
        elif kind == "indicator":
            octets = self.rng.getrandbits(32).to_bytes(4, "big")
            address = ".".join(str(b) for b in octets)
            digest = f"{self.rng.getrandbits(256):064x}"
            pattern = (
                f"[ipv4-addr:value = '{address}']"
                if n % 2
                else f"[file:hashes.'SHA-256' = '{digest}'] OR [domain-name:value = 'h{n}.example']"
            )
            obj.update(
                name=f"Indicator {n}",
                description="Observed in the campaign",
                indicator_types=["malicious-activity"],
                pattern=pattern,
                pattern_type="stix",
                valid_from=obj["created"],
            )
        elif kind == "marking-definition":
            obj = {
                "type": kind,
                "spec_version": "2.1",
                "id": self.uid(kind),
                "created": self.time(),
                "name": f"Statement {n}",
                "definition_type": "statement",
                "definition": {"statement": f"Copyright {n}"},
            }
        return obj


def generate(count: int, seed: int = 7) -> dict[str, Any]:
    """A bundle of exactly ``count`` objects (count >= 20)."""
    maker = Maker(seed)
    objects: list[dict[str, Any]] = []
    by_type: dict[str, list[str]] = {}
    creator = None
    total_weight = sum(weight for _, weight in MIX)
    sdo_count = count * 60 // 100
    for kind, weight in MIX:
        for n in range(max(1, sdo_count * weight // total_weight)):
            obj = maker.sdo(kind, n, creator)
            creator = creator or obj["id"] if kind == "identity" else creator
            objects.append(obj)
            by_type.setdefault(kind, []).append(obj["id"])
    reports = [o for o in objects if o["type"] == "report"]
    for report in reports:
        picks = maker.rng.sample(objects, min(20, len(objects)))
        report.update(
            name=f"Report {report['id'][-4:]}",
            report_types=["threat-report"],
            published=report["created"],
            object_refs=[o["id"] for o in picks],
        )
    while len(objects) < count:
        source_type, kind, target_type = maker.rng.choice(RELATIONSHIPS)
        relationship = maker.common("relationship", creator)
        relationship.update(
            relationship_type=kind,
            source_ref=maker.rng.choice(by_type[source_type]),
            target_ref=maker.rng.choice(by_type[target_type]),
        )
        objects.append(relationship)
    tlp = {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": TLP_CLEAR,
        "created": "2022-10-01T00:00:00.000Z",
        "name": "TLP:CLEAR",
        "extensions": {
            "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d": {
                "extension_type": "property-extension",
                "tlp_2_0": "clear",
            }
        },
    }
    objects[-1] = tlp
    return {"type": "bundle", "id": maker.uid("bundle"), "objects": objects}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--out", type=Path, default=Path("/tmp/stix-mtac-bench"))
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for count in args.objects:
        path = args.out / f"bundle-{count}.json"
        path.write_text(json.dumps(generate(count, args.seed), indent=1) + "\n", encoding="utf-8")
        print(f"{path} ({count} objects, {path.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
