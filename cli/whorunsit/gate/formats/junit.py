"""JUnit XML: one testcase per assertion, so CI test tabs list every limit.

An error-level assertion that fails, or stays inconclusive without
--allow-inconclusive, is a <failure> (type "fail" or "inconclusive"). JUnit has no
warnings: a warn-level assertion that does not pass is a passing testcase whose
<system-out> starts with "WARN", as the run's exit code does not fail on it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from whorunsit.gate.formats import display_path
from whorunsit.gate.runner import GateRun


def render_junit(run: GateRun) -> str:
    failures = len(run.failures)
    suites = ET.Element("testsuites", name="whorunsit gate", tests=str(len(run.outcomes)),
                        failures=str(failures), errors="0")
    suite = ET.SubElement(suites, "testsuite", name=run.candidate.name,
                          tests=str(len(run.outcomes)), failures=str(failures), errors="0",
                          skipped="0")
    props = ET.SubElement(suite, "properties")
    for name, value in (
        ("scenario", display_path(run.candidate.source)),
        ("baseline", display_path(run.baseline.source) if run.baseline else ""),
        ("seed", str(run.seed)),
        ("replications", str(run.replications)),
        ("max_replications", str(run.max_replications)),
    ):
        ET.SubElement(props, "property", name=name, value=value)
    for o in run.outcomes:
        a = o.assertion
        case = ET.SubElement(suite, "testcase", name=a.expression,
                             classname=f"whorunsit.gate.{a.level}",
                             file=display_path(a.location.file), line=str(a.location.line))
        why = run.why(o)
        if o.counts_as_failure(run.allow_inconclusive):
            failure = ET.SubElement(case, "failure", message=why, type=o.status)
            failure.text = f"{a.expression} ({display_path(a.location.file)}:{a.location.line}): {why}"
        out = ET.SubElement(case, "system-out")
        out.text = f"{run.verdict(o)}: {why}"
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
