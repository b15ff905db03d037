"""Benchmark ``stix-mtac validate`` against stix2-validator on the same generated bundles.

    python benchmarks/run.py                      # 1k, 10k, 100k; 3 runs each (median)
    python benchmarks/run.py --reference-runs 1   # one stix2-validator run at 100k (~4 min)

Both tools run as users run them: a fresh process per run, process start included.
stix2-validator runs through its Python API in a child process (``--upstream-child``), so its
findings can be compared; ``stix-mtac validate --format json`` is the CLI itself. Peak RSS is
the child's ``ru_maxrss`` from ``wait4`` (the largest process of its tree). "Findings equal":
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
Summary = dict[str, list[Any]]  # object id -> (has errors, SHOULD codes)
LARGE = 100_000  # from this size, stix2-validator runs --reference-runs times (~4 min each)
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


def timed(command: list[str]) -> tuple[float, float, str]:
    """(seconds, peak RSS MiB, stdout) of one child process."""
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL)
        _pid, _status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = 0
        out.seek(0)
        return seconds, usage.ru_maxrss / 1024, out.read().decode("utf-8")


def measure(command: list[str], runs: int) -> tuple[float, float, str]:
    results = [timed(command) for _ in range(runs)]
    return (
        statistics.median(r[0] for r in results),
        max(r[1] for r in results),
        results[-1][2],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="stix-mtac validate vs stix2-validator")
    parser.add_argument("--upstream-child", metavar="PATH", help=argparse.SUPPRESS)
    parser.add_argument("--objects", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--runs", type=int, default=3, help="runs of stix-mtac (median)")
    parser.add_argument(
        "--reference-runs", type=int, default=3, help=f"stix2-validator runs at >= {LARGE} objects"
    )
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "stix-mtac-bench")
    args = parser.parse_args()
    if args.upstream_child:
        upstream_child(args.upstream_child)
        return
    sys.path.insert(0, str(HERE))
    from generate import generate

    args.dir.mkdir(parents=True, exist_ok=True)
    cli = str(Path(sys.executable).with_name("stix-mtac"))
    rows = []
    for count in args.objects:
        path = args.dir / f"bundle-{count}.json"
        if not path.exists():
            path.write_text(json.dumps(generate(count), indent=1) + "\n", encoding="utf-8")
        ours = [cli, "validate", "--format", "json", str(path)]
        ours_s, ours_rss, ours_out = measure(ours, args.runs)
        upstream = [sys.executable, str(Path(__file__).resolve()), "--upstream-child", str(path)]
        reference_runs = args.reference_runs if count >= LARGE else args.runs
        ref_s, ref_rss, ref_out = measure(upstream, reference_runs)
        equal = ours_summary(json.loads(ours_out)) == json.loads(ref_out)
        rows.append((count, ref_s, ref_rss, ours_s, ours_rss, equal))
        print(f"done {count}", file=sys.stderr)
    print(
        f"runs: {args.runs} each (median); stix2-validator at >= {LARGE} objects: "
        f"{args.reference_runs}"
    )
    header = (
        "| objects | stix2-validator s | obj/s | peak MiB | stix-mtac s | obj/s | peak MiB "
        "| speed-up | memory | findings equal |"
    )
    print(header)
    print("|" + "---|" * 10)
    for count, ref_s, ref_rss, ours_s, ours_rss, equal in rows:
        print(
            f"| {count} | {ref_s:.2f} | {count / ref_s:,.0f} | {ref_rss:.0f} | {ours_s:.2f} "
            f"| {count / ours_s:,.0f} | {ours_rss:.0f} | {ref_s / ours_s:.1f}x "
            f"| {ours_rss / ref_rss:.2f}x | {'yes' if equal else 'NO'} |"
        )


if __name__ == "__main__":
    main()
