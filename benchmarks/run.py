"""Benchmark ``stix-mtac validate`` against stix2-validator on the same bundles, in one run.

    python benchmarks/run.py --objects 10000             # every synthetic family at 10k
    python benchmarks/run.py --families attack-ics attack-mobile --attack-git DIR
    python benchmarks/run.py --objects 100000 --runs 1 --reference-runs 1 --out r.jsonl

Both tools run as users run them: a fresh process per run, process start included.
stix2-validator runs through its Python API in a child process (``--upstream-child``), so its
findings can be compared; ``stix-mtac validate --format json`` is the CLI itself. Peak RSS is
the child's ``ru_maxrss`` from ``wait4`` (the largest process of its tree); CPU seconds are
the child's user + system time from ``wait4`` (its worker processes included). "Findings equal":
for every object, the same SHOULD codes and the same verdict (has MUST/schema errors or not).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from families import ATTACK_FILES, SYNTHETIC, object_count, write_family  # noqa: E402

Summary = dict[str, list[Any]]  # object id -> (has errors, SHOULD codes)
_LINE = re.compile(r"^(\S+?): (?:\{(\d+)\} )?")


def upstream_child(path: str) -> None:
    """Validate with stix2-validator (default options, as its CLI) and print a summary."""
    from stix2validator import ValidationOptions, validate_file

    result: Any = validate_file(path, ValidationOptions(silent=True))
    summary: dict[str, tuple[bool, set[str]]] = {}
    for object_result in result.object_results or ():
        for text, is_error in [(str(e), True) for e in object_result.errors] + [
            (str(w), False) for w in object_result.warnings or ()
        ]:
            match = _LINE.match(text)
            if not match:
                continue
            has_error, codes = summary.setdefault(match.group(1), (False, set()))
            if match.group(2) and not is_error:
                codes.add(match.group(2))
            summary[match.group(1)] = (has_error or is_error, codes)
    print(json.dumps({k: (e, sorted(c)) for k, (e, c) in summary.items()}))


def ours_summary(report: dict[str, Any]) -> Summary:
    summary: dict[str, tuple[bool, set[str]]] = {}
    for finding in report["files"][0]["findings"]:
        code, object_id = finding["code"], finding["object_id"] or ""
        if code.startswith("SX"):
            continue  # our own semantic checks: stix2-validator has no counterpart
        has_error, codes = summary.setdefault(object_id, (False, set()))
        if code.isdigit():
            codes.add(code)
        else:
            has_error = has_error or finding["severity"] == "error"
        summary[object_id] = (has_error, codes)
    return {k: [e, sorted(c)] for k, (e, c) in summary.items() if e or c}


def timed(command: list[str]) -> tuple[float, float, float, str]:
    """(wall seconds, CPU seconds, peak RSS MiB, stdout) of one child process."""
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL)
        _pid, _status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = 0
        out.seek(0)
        cpu = usage.ru_utime + usage.ru_stime
        return seconds, cpu, usage.ru_maxrss / 1024, out.read().decode("utf-8")


def measure(command: list[str], runs: int) -> tuple[float, float, float, str]:
    """Medians of wall and CPU seconds, the largest peak RSS, the last run's output."""
    results = [timed(command) for _ in range(runs)]
    return (
        statistics.median(r[0] for r in results),
        statistics.median(r[1] for r in results),
        max(r[2] for r in results),
        results[-1][3],
    )


HEADER = (
    "| family | objects | stix2-validator CPU s | wall s | peak MiB | stix-mtac CPU s | wall s "
    "| peak MiB | CPU speed-up | wall speed-up | memory | findings equal |"
)


def row(result: dict[str, Any]) -> str:
    r = result
    return (
        f"| {r['family']} | {r['objects']:,} | {r['ref_cpu']:.2f} | {r['ref_wall']:.2f} "
        f"| {r['ref_rss']:.0f} | {r['ours_cpu']:.2f} | {r['ours_wall']:.2f} | {r['ours_rss']:.0f} "
        f"| {r['ref_cpu'] / r['ours_cpu']:.1f}x | {r['ref_wall'] / r['ours_wall']:.1f}x "
        f"| {r['ours_rss'] / r['ref_rss']:.2f}x | {'yes' if r['equal'] else 'NO'} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="stix-mtac validate vs stix2-validator")
    parser.add_argument("--upstream-child", metavar="PATH", help=argparse.SUPPRESS)
    parser.add_argument("--families", nargs="+", default=list(SYNTHETIC), metavar="FAMILY")
    parser.add_argument("--objects", type=int, nargs="+", default=[10000])
    parser.add_argument("--runs", type=int, default=3, help="runs of stix-mtac (median)")
    parser.add_argument(
        "--reference-runs", type=int, default=3, help="stix2-validator runs (median)"
    )
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "stix-mtac-bench")
    parser.add_argument("--attack-git", type=Path, help="git dir of mitre-attack/attack-stix-data")
    parser.add_argument("--attack-dir", type=Path, help="directory with the ATT&CK bundle files")
    parser.add_argument("--out", type=Path, help="append each result as a JSON line here")
    parser.add_argument("--table", type=Path, nargs="+", help="print the table of these files")
    args = parser.parse_args()
    if args.upstream_child:
        upstream_child(args.upstream_child)
        return
    if args.table:
        lines = [json.loads(line) for path in args.table for line in path.read_text().splitlines()]
        print(HEADER)
        print("|" + "---|" * 12)
        for result in lines:
            print(row(result))
        return
    args.dir.mkdir(parents=True, exist_ok=True)
    cli = str(Path(sys.executable).with_name("stix-mtac"))
    results = []
    for family in args.families:
        for count in [0] if family in ATTACK_FILES else args.objects:
            path = write_family(
                family, count, args.dir, attack_git=args.attack_git, attack_dir=args.attack_dir
            )
            count = object_count(path)
            ours = [cli, "validate", "--format", "json", str(path)]
            ours_wall, ours_cpu, ours_rss, ours_out = measure(ours, args.runs)
            upstream = [
                sys.executable,
                str(Path(__file__).resolve()),
                "--upstream-child",
                str(path),
            ]
            reference_runs = args.reference_runs
            ref_wall, ref_cpu, ref_rss, ref_out = measure(upstream, reference_runs)
            result = {
                "family": family,
                "objects": count,
                "runs": args.runs,
                "reference_runs": reference_runs,
                "ref_wall": ref_wall,
                "ref_cpu": ref_cpu,
                "ref_rss": ref_rss,
                "ours_wall": ours_wall,
                "ours_cpu": ours_cpu,
                "ours_rss": ours_rss,
                "equal": ours_summary(json.loads(ours_out)) == json.loads(ref_out),
            }
            results.append(result)
            if args.out:
                with args.out.open("a", encoding="utf-8") as out:
                    out.write(json.dumps(result) + "\n")
            print(f"done {family} {count}", file=sys.stderr)
    print(f"runs: stix-mtac {args.runs}, stix2-validator {args.reference_runs} (medians)")
    print(HEADER)
    print("|" + "---|" * 12)
    for result in results:
        print(row(result))


if __name__ == "__main__":
    main()
