"""The HTML pages in a real browser: headless Chromium driven by playwright.

Each page is made by the CLI next to the JSON output of the same run (same scenario,
seed and replications give the same figures), opened from disk, and checked: no console
errors, no network request but the file itself, every chart drew marks, the numbers in
the page equal the JSON, a 1280x800 screenshot is not blank, a phone does not scroll
sideways, the table sorts, and the page prints to A4.

Chromium is Debian's (`apt-get install chromium`; .ci/run installs it), driven through
playwright's executable_path: nothing is downloaded. Without it the tests skip, saying so.
"""

from __future__ import annotations

import io
import json
import math
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from whorunsit.app import app
from whorunsit.report import format as fmt

pytest.importorskip("jinja2", reason="the html extra (whorunsit[html]) is not installed")
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install 'whorunsit[browser]')")

OPS = "scenarios/you-build-it-ops-run-it.yaml"
YOU = "scenarios/you-build-it-you-run-it.yaml"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
runner = CliRunner()


def chromium_path() -> str | None:
    return os.environ.get("WHORUNSIT_CHROMIUM") or shutil.which("chromium") or shutil.which(
        "chromium-browser")


@pytest.fixture(scope="module")
def browser():
    path = chromium_path()
    if path is None:
        pytest.skip("no Chromium to open the pages in: apt-get install chromium "
                    "(or set WHORUNSIT_CHROMIUM to a Chromium binary)")
    with sync_api.sync_playwright() as p:
        try:
            b = p.chromium.launch(executable_path=path, args=ARGS)
        except Exception as exc:  # a broken install: say what, do not fail every test
            pytest.skip(f"Chromium at {path} does not start headless: {exc}".splitlines()[0])
        yield b
        b.close()


def cli(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code in (0, 1), result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """One page (and its JSON) per command, made once for this module."""
    d = tmp_path_factory.mktemp("pages")
    out = {}
    run = ["-n", "6", "--seed", "11", "-q"]
    cli("simulate", OPS, *run, "--format", "html", "-o", str(d / "simulate.html"))
    cli("simulate", OPS, *run, "--format", "json", "-o", str(d / "simulate.json"))
    cli("compare", OPS, YOU, *run, "--format", "html", "-o", str(d / "compare.html"))
    cli("compare", OPS, YOU, *run, "--format", "json", "-o", str(d / "compare.json"))
    cli("gate", YOU, "--baseline", OPS, *run, "--max-replications", "6", "--format", "html",
        "-o", str(d / "gate.html"), "--report", f"json={d / 'gate.json'}")
    log = d / "incidents.csv"
    log.write_text(incident_log())
    cli("calibrate", str(log), "-q", "--format", "html", "-o", str(d / "calibrate.html"))
    cli("calibrate", str(log), "-q", "--format", "json", "-o", str(d / "calibrate.json"))
    for kind in ("simulate", "compare", "gate", "calibrate"):
        out[kind] = (d / f"{kind}.html", json.loads((d / f"{kind}.json").read_text()))
    return out


def incident_log() -> str:
    """400 incidents over 12 weeks: lognormal times to restore, four priorities."""
    import datetime as dt

    import numpy as np

    rng = np.random.default_rng(3)
    start = dt.datetime(2016, 2, 29)
    lines = ["number,reassignment_count,opened_at,priority,assignment_group,resolved_at"]
    for i in range(400):
        opened = start + dt.timedelta(hours=float(rng.uniform(0, 24 * 7 * 12)))
        resolved = opened + dt.timedelta(hours=float(rng.lognormal(2, 1.2)))
        p = rng.choice([1, 2, 3, 4], p=[0.05, 0.15, 0.5, 0.3])
        lines.append(f"INC{i},{rng.poisson(0.7)},{opened:%d/%m/%Y %H:%M},{p} - x,"
                     f"Team {'ABC'[i % 3]},{resolved:%d/%m/%Y %H:%M}")
    return "\n".join(lines) + "\n"


class Opened:
    def __init__(self, browser, path: Path, width: int = 1280, height: int = 800):
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.page = self.context.new_page()
        self.console: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}")
                     if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.console.append(f"pageerror: {e}"))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.path = path
        self.url = path.resolve().as_uri()
        self.page.goto(self.url, wait_until="load")

    def close(self):
        self.context.close()


@pytest.fixture
def opened(browser):
    tabs = []

    def open_(path: Path, **size) -> Opened:
        tab = Opened(browser, path, **size)
        tabs.append(tab)
        return tab

    yield open_
    for tab in tabs:
        tab.close()


def rendered_marks(page) -> list[int]:
    """Per chart, how many data marks the browser laid out with a non-empty box."""
    return page.eval_on_selector_all("figure.chart", """figs => figs.map(f =>
        Array.from(f.querySelectorAll('svg [id^="mark-"]')).filter(e => {
            const b = e.getBBox(); return b.width > 0 || b.height > 0; }).length)""")


def rows(page) -> list[dict]:
    return page.eval_on_selector_all("tr[data-metric]", """trs => trs.map(tr => ({
        data: Object.assign({}, tr.dataset),
        cells: Array.from(tr.cells).map(td => td.textContent.trim())}))""")


def not_blank(png: bytes) -> None:
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.size == (1280, 800)
    colours = image.getcolors(maxcolors=1 << 20)
    assert len(colours) > 50, "the screenshot has almost no colours"
    white = sum(n for n, c in colours if min(c) > 245)
    assert white < 0.9 * 1280 * 800, "the screenshot is (nearly) all white"


def check_common(tab: Opened) -> None:
    assert tab.path.stat().st_size < 3 * 1024 * 1024
    assert tab.console == []
    assert tab.requests == [tab.url], "the page asked the network for something"
    marks = rendered_marks(tab.page)
    assert all(n > 0 for n in marks), f"a chart drew no marks: {marks}"
    not_blank(tab.page.screenshot())


def same(text: str, x: float | None) -> bool:
    """A data-* attribute against a JSON number (null = empty)."""
    return text == "" if x is None else float(text) == x


def test_simulate_page(pages, opened):
    path, data = pages["simulate"]
    tab = opened(path)
    check_common(tab)
    assert len(rendered_marks(tab.page)) >= 5
    shown = {r["data"]["metric"]: r for r in rows(tab.page)}
    currency = data["scenario"]["currency"]
    assert set(shown) == set(data["metrics"])
    for name, m in data["metrics"].items():
        r = shown[name]
        assert same(r["data"]["value"], m["value"]), name
        assert same(r["data"]["low"], m["ci95"][0]) and same(r["data"]["high"], m["ci95"][1])
        value = m["value"] if m["value"] is not None else math.nan
        assert r["cells"][1] == fmt.metric(name, value, currency), name
    p50 = data["metrics"]["incidents.time_to_restore.p50"]["value"]
    tile = tab.page.inner_text(".figure:has-text('Time to restore, median') .value")
    assert tile == fmt.duration(p50)
    assert tab.page.inner_text("h1") == data["scenario"]["name"]
    footer = tab.page.inner_text("footer")
    assert str(data["seed"]) in footer and data["scenario"]["file"] in footer


def test_the_metrics_table_sorts(pages, opened):
    tab = opened(pages["simulate"][0])
    tab.page.click("#metrics thead th:nth-child(2) button")
    values = [float(v) for v in tab.page.eval_on_selector_all(
        "#metrics tbody tr", "trs => trs.map(t => t.dataset.value)") if v != ""]
    assert values == sorted(values)
    assert tab.page.get_attribute("#metrics thead th:nth-child(2)", "aria-sort") == "ascending"
    tab.page.click("#metrics thead th:nth-child(2) button")
    first = tab.page.eval_on_selector("#metrics tbody tr", "t => t.dataset.value")
    assert float(first) == max(values)
    tab.page.fill("input[data-filter=metrics]", "cost.total")
    visible = tab.page.eval_on_selector_all("#metrics tbody tr:not([hidden])",
                                            "trs => trs.map(t => t.dataset.metric)")
    assert visible == ["cost.total"]


def test_compare_page(pages, opened):
    path, data = pages["compare"]
    tab = opened(path)
    check_common(tab)
    shown = {r["data"]["metric"]: r["data"] for r in rows(tab.page)}
    assert set(shown) == set(data["metrics"])
    for name, m in data["metrics"].items():
        d = m["differences"][0]
        if d is None:
            assert shown[name]["delta"] == ""
            continue
        assert same(shown[name]["delta"], d["delta"]), name
        assert same(shown[name]["low"], d["ci95"][0]) and same(shown[name]["high"], d["ci95"][1])
        assert shown[name]["verdict"] == d["verdict"]
    verdict = tab.page.inner_text("#verdict")
    mttr = data["metrics"]["incidents.time_to_restore.mean"]["differences"][0]
    faster = data["scenarios"][1 if mttr["verdict"] == "better" else 0]["name"]
    if mttr["verdict"] != "same":
        assert verdict.startswith(f"{faster} restores service faster")
    assert "95% CI" in verdict and "a year" in verdict


def test_gate_page(pages, opened):
    path, data = pages["gate"]
    tab = opened(path)
    assert tab.console == [] and tab.requests == [tab.url]
    assert path.stat().st_size < 3 * 1024 * 1024
    not_blank(tab.page.screenshot())
    shown = {r["data"]["metric"]: r for r in rows(tab.page)}
    assert len(shown) == len(data["assertions"])
    for a in data["assertions"]:
        r = shown[f"delta({a['metric']})" if a["delta"] else a["metric"]]
        assert r["data"]["status"] == a["status"] and r["data"]["verdict"] == a["verdict"]
        assert same(r["data"]["value"], a["value"])
        assert a["verdict"] in r["cells"][0]
    assert tab.page.inner_text("#verdict-heading") == data["summary"]


def test_calibrate_page(pages, opened):
    path, data = pages["calibrate"]
    tab = opened(path)
    check_common(tab)
    shown = {r["data"]["metric"]: r["data"] for r in rows(tab.page)}
    assert set(shown) == set(data["figures"])
    for name, f in data["figures"].items():
        assert same(shown[name]["value"], f["value"]), name
        assert same(shown[name]["low"], f["ci95"][0]) and same(shown[name]["high"], f["ci95"][1])


def test_the_committed_example_opens_cleanly(opened):
    tab = opened(Path(__file__).resolve().parents[1] / "docs" / "examples" / "compare.html")
    check_common(tab)
    assert len(rows(tab.page)) > 50


def test_a_phone_reads_it_without_scrolling_sideways(pages, opened):
    for kind in ("simulate", "compare"):
        tab = opened(pages[kind][0], width=390, height=844)
        overflow = tab.page.evaluate(
            "document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth")
        assert overflow <= 1, f"{kind} scrolls sideways by {overflow}px on a phone"
        # a chart keeps a legible size and scrolls inside its own box
        box, chart = tab.page.eval_on_selector(
            "figure.chart .plot", "p => [p.clientWidth, p.scrollWidth]")
        assert box <= 390 and chart >= 500


def test_it_prints_on_a4(pages, opened):
    tab = opened(pages["simulate"][0])
    pdf = tab.page.pdf(prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF")
    # A4 is 595 x 842 points
    assert b"/MediaBox [0 0 594.95996 841.91998]" in pdf or b"/MediaBox [0 0 595" in pdf
