"""Gate org-design proposals: parse assertions, judge them on confidence intervals,
rerun while undecided, and report in the formats CI systems read."""

from whorunsit.gate.assertions import Assertion, known_metrics, parse, parse_all
from whorunsit.gate.evaluate import FAIL, INCONCLUSIVE, PASS, Outcome, evaluate, judge
from whorunsit.gate.runner import GateRun, run_gate

__all__ = [
    "FAIL",
    "INCONCLUSIVE",
    "PASS",
    "Assertion",
    "GateRun",
    "Outcome",
    "evaluate",
    "judge",
    "known_metrics",
    "parse",
    "parse_all",
    "run_gate",
]
