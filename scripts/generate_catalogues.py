#!/usr/bin/env python3
"""Regenerate the technique catalogues in stix_mtac/data/catalogues/ from the upstream releases.

    python3 scripts/generate_catalogues.py --cti CTI --disarm DISARM --atlas ATLAS [--attack-version V]

Each argument is a git clone (bare or not) of the upstream repository:
  CTI     github.com/mitre/cti                 (ATT&CK enterprise/mobile/ICS, CAPEC: STIX objects)
  DISARM  github.com/DISARMFoundation/DISARMframeworks (generated_files/DISARM_STIX)
  ATLAS   github.com/mitre-atlas/atlas-data    (dist/ATLAS.yaml, the compiled release)
The tables are read from each clone's HEAD. Output per catalogue: id -> name, tactics (the
kill-chain phase names the catalogue's objects carry), URL and status (revoked/deprecated,
with the id that replaces a revoked one), plus the version and licence; see the README there.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

TARGET = Path(__file__).resolve().parent.parent / "stix_mtac/data/catalogues"

ATTACK_DOMAINS = {
    "mitre-attack": ("enterprise-attack", "MITRE ATT&CK Enterprise", "mitre-attack"),
    "mitre-mobile-attack": ("mobile-attack", "MITRE ATT&CK Mobile", "mitre-mobile-attack"),
    "mitre-ics-attack": ("ics-attack", "MITRE ATT&CK ICS", "mitre-ics-attack"),
}
ATTACK_LICENCE = (
    "ATT&CK terms of use (github.com/mitre/cti LICENSE.txt): © The MITRE Corporation. This work "
    "is reproduced and distributed with the permission of The MITRE Corporation."
)
CAPEC_LICENCE = (
    "CAPEC terms of use (capec.mitre.org/about/termsofuse.html), © The MITRE Corporation."
)
DISARM_LICENCE = "CC BY-SA 4.0 (DISARMframeworks LICENSE.md), © DISARM Foundation."
ATLAS_LICENCE = "Apache-2.0 (atlas-data LICENSE), © The MITRE Corporation."


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    ).stdout


def blobs(repo: Path, prefix: str) -> Iterator[tuple[str, bytes]]:
    """(path, content) of every file under ``prefix`` at HEAD, through one cat-file process."""
    listing = [line.split("\t") for line in git(repo, "ls-tree", "-r", "HEAD", prefix).splitlines()]
    entries = [(meta.split()[2], path) for meta, path in listing if meta.split()[1] == "blob"]
    process = subprocess.Popen(
        ["git", "-C", str(repo), "cat-file", "--batch"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert process.stdin is not None and process.stdout is not None
    for sha, path in entries:
        process.stdin.write(f"{sha}\n".encode())
        process.stdin.flush()
        header = process.stdout.readline().split()
        if header[-1] == b"missing":  # a large file the clone does not hold (the whole-domain
            continue  # bundle); the per-object files beside it carry the same objects
        size = int(header[2])
        content = process.stdout.read(size)
        process.stdout.read(1)
        yield path, content
    process.stdin.close()
    process.wait()


def stix_objects(repo: Path, prefix: str) -> Iterator[dict[str, Any]]:
    for path, content in blobs(repo, prefix):
        if path.endswith(".json"):
            yield from json.loads(content)["objects"]


def commit(repo: Path) -> str:
    return git(repo, "log", "-1", "--format=%H %cs").strip()


def external_id(obj: dict[str, Any], source_names: tuple[str, ...]) -> tuple[str, str] | None:
    for reference in obj.get("external_references", []):
        if reference.get("source_name") in source_names and "external_id" in reference:
            return reference["external_id"], reference.get("url", "")
    return None


def stix_catalogue(
    repo: Path, prefix: str, source_names: tuple[str, ...], kill_chain: str | None
) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Techniques and ordered tactics of a STIX catalogue (ATT&CK-shaped)."""
    objects = list(stix_objects(repo, prefix))
    by_id = {obj["id"]: obj for obj in objects}
    tactics_by_ref = {
        obj["id"]: obj["x_mitre_shortname"] for obj in objects if obj["type"] == "x-mitre-tactic"
    }
    ordered: list[str] = []
    for obj in objects:
        if obj["type"] == "x-mitre-matrix":
            ordered += [
                tactics_by_ref[ref]
                for ref in obj["tactic_refs"]
                if ref in tactics_by_ref and tactics_by_ref[ref] not in ordered
            ]
    revoked_by = {
        obj["source_ref"]: obj["target_ref"]
        for obj in objects
        if obj["type"] == "relationship" and obj.get("relationship_type") == "revoked-by"
    }
    techniques: dict[str, dict[str, Any]] = {}
    for obj in objects:
        if obj["type"] != "attack-pattern":
            continue
        found = external_id(obj, source_names)
        if found is None:
            continue
        tid, url = found
        status = ""
        entry: dict[str, Any] = {"name": obj["name"].strip()}
        entry["tactics"] = [
            phase["phase_name"]
            for phase in obj.get("kill_chain_phases", [])
            if kill_chain is None or phase["kill_chain_name"] in (kill_chain, "mitre-attack")
        ]
        entry["url"] = url.replace("http://", "https://")
        if obj.get("revoked"):
            status = "revoked"
            target = by_id.get(revoked_by.get(obj["id"], ""))
            replacement = external_id(target, source_names) if target else None
            if replacement:
                entry["revoked_by"] = replacement[0]
        elif obj.get("x_mitre_deprecated") or obj.get("x_capec_status") == "Deprecated":
            status = "deprecated"
        if status:
            entry["status"] = status
        previous = techniques.get(tid)
        if previous is None or (previous.get("status") and not status):
            techniques[tid] = entry
    return dict(sorted(techniques.items(), key=lambda kv: natural(kv[0]))), ordered


def natural(text: str) -> list[Any]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def atlas_catalogue(repo: Path) -> tuple[dict[str, dict[str, Any]], list[str], str]:
    data = yaml.safe_load(git(repo, "show", "HEAD:dist/ATLAS.yaml"))
    matrix = data["matrices"][0]
    tactic_slug = {tactic["id"]: slug(tactic["name"]) for tactic in matrix["tactics"]}
    raw = {technique["id"]: technique for technique in matrix["techniques"]}
    techniques: dict[str, dict[str, Any]] = {}
    for tid, technique in raw.items():
        parent = raw.get(technique.get("subtechnique-of", ""), technique)
        entry: dict[str, Any] = {
            "name": technique["name"].strip(),
            "tactics": [tactic_slug[t] for t in parent.get("tactics", []) if t in tactic_slug],
            "url": f"https://atlas.mitre.org/techniques/{tid}",
        }
        if technique.get("deprecated") or technique.get("status") == "deprecated":
            entry["status"] = "deprecated"
        techniques[tid] = entry
    return (
        dict(sorted(techniques.items(), key=lambda kv: natural(kv[0]))),
        list(tactic_slug.values()),
        str(data["version"]),
    )


def write(name: str, table: dict[str, Any]) -> None:
    """One technique per line: small diffs when upstream changes."""
    techniques = table.pop("techniques")
    head = json.dumps(table, indent=1, ensure_ascii=False)[:-2]
    lines = [
        f"  {json.dumps(tid)}: {json.dumps(entry, ensure_ascii=False, sort_keys=True)}"
        for tid, entry in techniques.items()
    ]
    text = head + ',\n "techniques": {\n' + ",\n".join(lines) + "\n }\n}\n"
    (TARGET / f"{name}.json").write_text(text, encoding="utf-8")
    print(f"{name}: {len(techniques)} techniques")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cti", type=Path, required=True)
    parser.add_argument("--disarm", type=Path, required=True)
    parser.add_argument("--atlas", type=Path, required=True)
    parser.add_argument("--attack-version", required=True, help="ATT&CK release in the clone")
    parser.add_argument("--capec-version", required=True)
    parser.add_argument("--disarm-version", required=True)
    args = parser.parse_args()
    TARGET.mkdir(parents=True, exist_ok=True)
    cti = commit(args.cti)
    for name, (folder, title, kill_chain) in ATTACK_DOMAINS.items():
        techniques, tactics = stix_catalogue(args.cti, folder, ("mitre-attack",), kill_chain)
        write(
            name,
            {
                "catalogue": name,
                "title": title,
                "version": args.attack_version,
                "source": f"github.com/mitre/cti {folder}/ at {cti}",
                "licence": ATTACK_LICENCE,
                "source_name": "mitre-attack",
                "kill_chain_name": kill_chain,
                "tactics": tactics,
                "techniques": techniques,
            },
        )
    techniques, _ = stix_catalogue(args.cti, "capec/2.1/attack-pattern", ("capec",), None)
    write(
        "capec",
        {
            "catalogue": "capec",
            "title": "CAPEC",
            "version": args.capec_version,
            "source": f"github.com/mitre/cti capec/2.1/ at {cti}",
            "licence": CAPEC_LICENCE,
            "source_name": "capec",
            "kill_chain_name": None,
            "tactics": [],
            "techniques": techniques,
        },
    )
    disarm = commit(args.disarm)
    techniques, tactics = stix_catalogue(
        args.disarm, "generated_files/DISARM_STIX", ("mitre-attack", "DISARM"), None
    )
    write(
        "disarm",
        {
            "catalogue": "disarm",
            "title": "DISARM Red Framework",
            "version": args.disarm_version,
            "source": f"github.com/DISARMFoundation/DISARMframeworks generated_files/DISARM_STIX at {disarm}",
            "licence": DISARM_LICENCE,
            # DISARM's own attack-patterns cite their ids under "mitre-attack" (for the Navigator),
            # and TIPs key techniques on it (pycti takes the id of a "mitre-*" reference), so ours
            # do the same to merge with the DISARM objects a TIP already holds. No DISARM id is an
            # ATT&CK id (T0001-T0155 against T1001-, ICS T0800-); the kill chain stays "disarm".
            "source_name": "mitre-attack",
            "kill_chain_name": "disarm",
            "tactics": tactics,
            "techniques": techniques,
        },
    )
    techniques, tactics, version = atlas_catalogue(args.atlas)
    write(
        "mitre-atlas",
        {
            "catalogue": "mitre-atlas",
            "title": "MITRE ATLAS",
            "version": version,
            "source": f"github.com/mitre-atlas/atlas-data dist/ATLAS.yaml at {commit(args.atlas)}",
            "licence": ATLAS_LICENCE,
            "source_name": "mitre-atlas",
            "kill_chain_name": "mitre-atlas",
            "tactics": tactics,
            "techniques": techniques,
        },
    )


if __name__ == "__main__":
    main()
