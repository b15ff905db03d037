"""JUnit XML output for CI test reports (Jenkins, GitLab).

One ``testsuite`` per input file, holding one ``testcase`` for the file: its classname is the
file (relative to the root when inside it), its name ``validate``. Errors make it a
``failure`` whose text lists each one (``line:col CODE name at path: message``); warnings
and baselined findings are written to ``system-out``, never as passing tests of their own;
the counts are the suite's ``properties``. An unreadable file is an ``error``, a skipped one
``skipped``. A file named twice gets a numbered name, so no (classname, name) pair repeats.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from stix_mtac.printable import printable
from stix_mtac.validate.findings import Finding, Severity
from stix_mtac.validate.render.view import RenderOptions, baseline_key, shown_findings
from stix_mtac.validate.sources import FileReport
from stix_mtac.validate.summary import RunSummary


def _line(finding: Finding) -> str:
    region = finding.region
    place = f"{region.line}:{region.column} " if region else ""
    where = finding.json_path + (f" ({finding.object_id})" if finding.object_id else "")
    accepted = f" [baseline: {finding.suppression}]" if finding.suppression else ""
    return printable(
        f"{place}{finding.severity.value} {finding.code} {finding.name} at {where}: "
        f"{finding.message}{accepted}"
    )


def render_junit(reports: Sequence[FileReport], summary: RunSummary, options: RenderOptions) -> str:
    root = ET.Element("testsuites", name="stix-mtac validate", time=f"{summary.seconds:.3f}")
    total_failures = total_errors = 0
    seen: dict[str, int] = {}
    for report in reports:
        classname = printable(baseline_key(report.source, options.root))
        seen[classname] = seen.get(classname, 0) + 1
        name = "validate" if seen[classname] == 1 else f"validate ({seen[classname]})"
        suite = ET.SubElement(root, "testsuite", name=classname, tests="1")
        case = ET.SubElement(suite, "testcase", name=name, classname=classname)
        failures = errors = 0
        if report.skipped is not None:
            ET.SubElement(case, "skipped", message=printable(report.skipped))
        elif report.input_error is not None:
            ET.SubElement(
                case, "error", message=printable(report.input_error), type="unreadable-input"
            )
            errors = 1
        else:
            assert report.result is not None
            findings = shown_findings(report, options)
            failing = [f for f in findings if f.severity is Severity.ERROR and not f.suppression]
            others = [f for f in findings if f not in failing]
            properties = ET.SubElement(suite, "properties")
            for key, value in (
                ("objects", report.result.object_count),
                ("errors", len(failing)),
                ("warnings", report.result.count(Severity.WARNING)),
                ("suppressed", len(report.result.suppressed)),
            ):
                ET.SubElement(properties, "property", name=key, value=str(value))
            if failing:
                failures = 1
                count = len(failing)
                failure = ET.SubElement(
                    case,
                    "failure",
                    message=f"{count} error{'s' if count != 1 else ''}: {_line(failing[0])}",
                    type=failing[0].code,
                )
                failure.text = "\n".join(_line(f) for f in failing)
            if others:
                out = ET.SubElement(case, "system-out")
                out.text = "\n".join(_line(f) for f in others)
        suite.set("failures", str(failures))
        suite.set("errors", str(errors))
        total_failures += failures
        total_errors += errors
    root.set("tests", str(len(reports)))
    root.set("failures", str(total_failures))
    root.set("errors", str(total_errors))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
