"""The HTML pages without a browser: what they hold, that they stand alone, and how the
commands offer them. tests/test_html_browser.py opens them in Chromium."""

from __future__ import annotations

import hashlib
import json
import re
import sys
from html.parser import HTMLParser

import numpy as np
import pytest
from typer.testing import CliRunner

import report_samples
from whorunsit.app import app
from whorunsit.report import format as fmt
from whorunsit.report import html
from whorunsit.report.html import simulate as simulate_page
from whorunsit.stats.compare import compare

pytest.importorskip("jinja2", reason="the html extra (whorunsit[html]) is not installed")
pytest.importorskip("matplotlib", reason="the html extra (whorunsit[html]) is not installed")

MAX_BYTES = 3 * 1024 * 1024
runner = CliRunner()


class Rows(HTMLParser):
    """Every <tr data-metric=...> with its data-* attributes and cell texts."""

    def __init__(self):
        super().__init__()
        self.rows: list[tuple[dict, list[str]]] = []
        self._cells: list[str] | None = None
        self._text = ""
        self.ids: list[str] = []
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        for key in ("src", "href", "xlink:href", "action", "data"):
            if a.get(key) and not a[key].startswith(("#", "data:")):
                self.urls.append(a[key])
        if tag == "tr" and "data-metric" in a:
            self.rows.append((a, []))
            self._cells = self.rows[-1][1]
        elif tag == "td" and self._cells is not None:
            self._text = ""

    def handle_data(self, data):
        self._text += data

    def handle_endtag(self, tag):
        if tag == "td" and self._cells is not None:
            self._cells.append(self._text.strip())
        elif tag == "tr":
            self._cells = None


def parse(text: str) -> Rows:
    p = Rows()
    p.feed(text)
    return p


@pytest.fixture(scope="module")
def results():
    return report_samples.results()


@pytest.fixture(scope="module")
def page(results):
    return html.render("simulate", results)


def test_the_page_stands_alone(page):
    parsed = parse(page)
    assert parsed.urls == []
    assert not re.search(r"url\(\s*['\"]?(?!#|data:)", page), "a stylesheet fetches something"
    assert "@import" not in page and "<link rel=\"stylesheet\"" not in page
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert len(page.encode()) < MAX_BYTES
    assert len(parsed.ids) == len(set(parsed.ids)), "ids repeat between charts"


def test_it_opens_with_the_answer(page, results):
    first = page.index('id="verdict"')
    assert page.index("<h1") < first < page.index("<figure")
    p50 = results.estimate("incidents.time_to_restore.p50")
    assert f"Half of all incidents are restored within {fmt.duration(p50.value)}" in page
    assert results.scenario.name in page[:page.index('id="verdict"')]


def test_every_metric_is_in_the_table_with_its_raw_numbers(page, results):
    rows = {a["data-metric"]: (a, cells) for a, cells in parse(page).rows}
    estimates = results.estimates()
    assert set(rows) == set(estimates)
    currency = results.scenario.currency
    for name, e in estimates.items():
        attrs, cells = rows[name]
        for key, x in (("value", e.value), ("low", e.low), ("high", e.high)):
            # as JSON writes it: the same float, or nothing (null) where it is not finite
            assert attrs[f"data-{key}"] == (repr(float(x)) if np.isfinite(x) else "")
        assert cells[:4] == [name, fmt.metric(name, e.value, currency),
                             fmt.metric(name, e.low, currency), fmt.metric(name, e.high, currency)]


def test_charts_have_titles_units_intervals_and_text_alternatives(page):
    figures = re.findall(r'<figure class="chart".*?</figure>', page, flags=re.S)
    titles = [re.search(r"<figcaption[^>]*>(.*?)</figcaption>", f).group(1) for f in figures]
    assert any(t.startswith("Time to restore: distribution") for t in titles)
    assert any(t.startswith("Deployment lead time: distribution") for t in titles)
    assert any("by priority" in t for t in titles)
    assert any("by funding" in t for t in titles) and any("by kind" in t for t in titles)
    assert any("stability threshold" in t for t in titles)
    for f in figures:
        assert 'role="img" aria-label="' in f
        alt = re.search(r'class="alt"[^>]*>(.*?)</p>', f, flags=re.S).group(1)
        assert len(alt) > 60
        assert "95% CI" in f          # every chart shows (and says) its intervals
        assert re.search(r'id="mark-', f), "a chart without data marks"
    axis_titles = re.findall(r"<text[^>]*>([^<]*)</text>", page)
    assert any("log scale" in t for t in axis_titles)
    assert any("cost per year (GBP)" in t for t in axis_titles)


def test_cost_parts_come_from_the_metrics_present(results):
    """A cost metric the report has never heard of (the lead's cost.headcount) is a part
    of the by-kind bar; the totals are not."""
    samples = dict(results.samples)
    samples["cost.headcount"] = np.full(results.replications, 654_321.0)
    with_headcount = type(results)(results.scenario, results.seed, samples, results.histograms)
    kinds, funding = simulate_page.cost_parts(list(samples))
    assert "cost.headcount" in kinds and "cost.total" not in kinds
    assert funding == ["cost.opex", "cost.capex"]
    charts = simulate_page.cost_charts([("A", with_headcount)], salt="t")
    by_kind = next(c for c in charts if c.title.endswith("by kind"))
    assert "headcount £654,321" in by_kind.alt


def test_warnings_are_prominent(page, results):
    assert 'class="warnings" role="alert"' in page
    assert page.index('class="warnings"') < page.index("<figure")
    load = results.estimate("teams.app-ops.offered_load").value
    assert f"app-ops is offered {fmt.percent(load)} of what it can serve" in page


def test_provenance_and_the_scenario_yaml(tmp_path):
    source = tmp_path / "org.yaml"
    source.write_text("name: Org\n# the scenario as written\n")
    results = report_samples.results()
    results.scenario = results.scenario.__class__(**{**results.scenario.__dict__,
                                                     "source": str(source)})
    text = html.render("simulate", results)
    footer = text[text.index('<footer class="provenance"'):]

    for key, value in (("scenario file", str(source)),
                       ("scenario file sha256", hashlib.sha256(source.read_bytes()).hexdigest()),
                       ("seed", str(results.seed)), ("replications", str(results.replications)),
                       ("whorunsit", __import__("whorunsit").__version__)):
        assert f'data-key="{key}">{value}<' in footer
    assert re.search(r'data-key="date">\d{4}-\d\d-\d\d \d\d:\d\d UTC<', footer)
    assert '<details class="source"><summary>Scenario: ' in text
    assert "# the scenario as written" in text


def test_the_date_can_be_pinned(monkeypatch, results):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    assert 'data-key="date">1970-01-01 00:00 UTC<' in html.render("simulate", results)


def test_the_page_is_the_same_for_the_same_run(monkeypatch, results):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    assert html.render("simulate", results) == html.render("simulate", results)


def test_compare_says_which_restores_faster_and_what_it_costs():
    base = report_samples.results(seed=1)
    other = report_samples.results(seed=1)
    # the same noise (common random numbers), B restores 20% faster and costs 10% more
    samples = dict(other.samples)
    for name in list(samples):
        if name.startswith("incidents.time_to_restore."):
            samples[name] = samples[name] * 0.8
    samples["cost.total"] = samples["cost.total"] * 1.1
    other = type(other)(other.scenario.__class__(**{**other.scenario.__dict__, "name": "Proposal"}),
                        other.seed, samples, other.histograms)
    comparison = compare([base, other], None)
    text = html.render("compare", comparison)
    verdict = re.search(r'<p id="verdict">(.*?)</p>', text, flags=re.S).group(1)
    assert verdict.startswith("Proposal restores service faster")
    assert "95% CI" in verdict and "a year more" in verdict
    rows = parse(text).rows
    data = {a["data-metric"]: a for a, _ in rows}
    mttr = next(m for m in comparison.metrics if m.name == "incidents.time_to_restore.mean")
    d = mttr.differences[0]
    assert float(data[mttr.name]["data-delta"]) == d.delta
    assert data[mttr.name]["data-verdict"] == "better"
    assert "Forest plot" in text and "Paired differences" in text


def test_a_new_page_registers_itself(results):
    from whorunsit.report.html.page import Page, Section

    @html.register("test-kind")
    def build(subject, **context):
        return Page("test-kind", "A title", f"{subject} answered", sections=[Section("Part")])

    text = html.render("test-kind", "42")
    assert "42 answered" in text and "test-kind" in html.kinds()
    with pytest.raises(Exception, match="no HTML page for 'nope'"):
        html.render("nope", None)


# -- the commands -------------------------------------------------------------------------------

def test_html_needs_an_output_file():
    result = runner.invoke(app, ["simulate", "scenarios/you-build-it-ops-run-it.yaml",
                                 "--format", "html"])
    assert result.exit_code == 2
    assert result.stderr == ("error: --format html writes one file: add --output PATH "
                             "(e.g. report.html)\n")


@pytest.mark.parametrize("command", [
    ["simulate", "scenarios/you-build-it-ops-run-it.yaml"],
    ["compare", "scenarios/you-build-it-ops-run-it.yaml", "scenarios/you-build-it-you-run-it.yaml"],
    ["gate", "scenarios/you-build-it-ops-run-it.yaml"],
    ["calibrate", "no-such-log.csv"],
])
def test_a_missing_extra_is_one_line_naming_it(monkeypatch, tmp_path, command):
    # None in sys.modules is how Python spells "this module cannot be imported"
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    out = tmp_path / "page.html"
    result = runner.invoke(app, [*command, "--format", "html", "--output", str(out)])
    assert result.exit_code == 2
    assert result.stderr == ("error: HTML reports need the html extra: pip install "
                             "'whorunsit[html]' (matplotlib is not installed)\n")
    assert not out.exists()


def test_gate_can_add_an_html_report(tmp_path):
    out = tmp_path / "gate.html"
    result = runner.invoke(app, ["gate", "scenarios/you-build-it-ops-run-it.yaml", "-n", "4",
                                 "--max-replications", "4", "-q", "--format", "json",
                                 "--report", f"html={out}"])
    data = json.loads(result.stdout)
    text = out.read_text()
    rows = {a["data-metric"]: a for a, _ in parse(text).rows}
    assert len(rows) == len(data["assertions"])
    for a in data["assertions"]:
        row = rows[a["metric"] if not a["delta"] else f"delta({a['metric']})"]
        assert row["data-status"] == a["status"]
        assert float(row["data-value"]) == a["value"]
    assert ("gate passed" if data["passed"] else "gate FAILED") in text
