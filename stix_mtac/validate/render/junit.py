"""JUnit XML output for CI test reports.

One ``testsuite`` per input file. Each finding is a ``testcase``: errors carry a ``failure``,
warnings and notes pass with the message in ``system-out``. A file without findings is one
passing testcase; an unreadable file is one testcase with an ``error``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from stix_mtac.validate.findings import Severity
from stix_mtac.validate.sources import FileReport
from stix_mtac.validate.summary import RunSummary


def render_junit(reports: Sequence[FileReport], summary: RunSummary) -> str:
    root = ET.Element("testsuites", name="stix-mtac validate", time=f"{summary.seconds:.3f}")
    total_tests = total_failures = total_errors = 0
    for report in reports:
        suite = ET.SubElement(root, "testsuite", name=report.source)
        tests = failures = errors = 0
        if report.skipped is not None:
            case = ET.SubElement(suite, "testcase", name="read input", classname=report.source)
            ET.SubElement(case, "skipped", message=report.skipped)
            tests = 1
        elif report.input_error is not None:
            case = ET.SubElement(suite, "testcase", name="read input", classname=report.source)
            ET.SubElement(case, "error", message=report.input_error, type="unreadable-input")
            tests, errors = 1, 1
        else:
            assert report.result is not None
            for finding in report.result.findings:
                case = ET.SubElement(
                    suite,
                    "testcase",
                    name=f"{finding.code} {finding.name} at {finding.json_path}",
                    classname=finding.object_id or report.source,
                )
                tests += 1
                if finding.severity is Severity.ERROR:
                    failures += 1
                    failure = ET.SubElement(
                        case, "failure", message=finding.message, type=finding.code
                    )
                    failure.text = finding.message
                else:
                    out = ET.SubElement(case, "system-out")
                    out.text = f"{finding.severity.value}: {finding.message}"
            if not report.result.findings:
                ET.SubElement(suite, "testcase", name="valid bundle", classname=report.source)
                tests = 1
        suite.set("tests", str(tests))
        suite.set("failures", str(failures))
        suite.set("errors", str(errors))
        total_tests += tests
        total_failures += failures
        total_errors += errors
    root.set("tests", str(total_tests))
    root.set("failures", str(total_failures))
    root.set("errors", str(total_errors))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
