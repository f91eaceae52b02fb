"""The broken-scenario corpus: each tests/broken/NAME.yaml fails with exactly the
problems in NAME.expected (paths relative to tests/broken), all of them, in order."""

import re
from pathlib import Path

import pytest

from whorunsit.errors import InputError
from whorunsit.scenario import load_scenario

BROKEN = Path(__file__).resolve().parent / "broken"
CASES = sorted(p.stem for p in BROKEN.glob("*.yaml"))
LINE = re.compile(r"^[\w./-]+\.yaml(:\d+:\d+)?: .+")


def problems_of(name: str) -> list[str]:
    with pytest.raises(InputError) as info:
        load_scenario(BROKEN / f"{name}.yaml")
    return [str(p).replace(f"{BROKEN}/", "") for p in info.value.problems]


@pytest.mark.parametrize("name", CASES)
def test_broken_scenario_reports_exactly(name):
    expected = (BROKEN / f"{name}.expected").read_text().splitlines()
    assert problems_of(name) == expected


@pytest.mark.parametrize("name", CASES)
def test_every_problem_is_one_located_line_with_what_is_expected(name):
    for line in problems_of(name):
        assert "\n" not in line
        assert LINE.match(line), line
        assert "; " in line, line


def test_corpus_covers_every_kind_of_problem():
    text = "\n".join((BROKEN / f"{n}.expected").read_text() for n in CASES)
    for needle in [
        "YAML syntax error", "unknown key", "did you mean 'headcount'?", "got 'six'",
        "has no unit", "has no period", "is negative", "is too small", "outside 0-100%",
        "add up to 90%", "unknown team", "unknown application", "unknown support path",
        "unknown deployment policy", "does not exist", "extends: cycle",
        "p95 must be greater than the median", "contains '.'", "contains a space",
        "over 20 years", "is too large", "not allowed", "once aliases are expanded",
        "duplicate key", "the last tier resolves only",
        'quote the value: work: "lognormal(median=15m, p95=1h)"',
    ]:
        assert needle in text, needle


def test_every_case_has_its_expectations():
    assert {p.stem for p in BROKEN.glob("*.expected")} == set(CASES)
