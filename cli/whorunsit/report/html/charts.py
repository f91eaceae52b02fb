"""Charts as inline SVG drawn by matplotlib: no script, no font or file to fetch, sharp
on a phone and on paper.

Each function takes plain numbers (no Results), returns an ``<svg>`` element ready to
inline, and leaves the words of its text alternative to the page builder. Colours are
Okabe-Ito; a series is told apart by marker shape and label as well as colour. Text
stays text (``svg.fonttype: none``) so the page's own font draws it and it can be
searched and read by screen readers.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from whorunsit.report import format as fmt

#: Okabe & Ito (2008): safe for the common colour-vision deficiencies
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442")
MARKERS = ("o", "s", "D", "^", "v", "P", "X", "*")
GREY = "#8c8c8c"
WIDTH_IN = 8.0
STYLE = {
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.size": 9.5,
    "axes.titlesize": 10,
    "axes.labelsize": 9.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#e3e3e3",
    "grid.linewidth": 0.6,
    "axes.axisbelow": True,
    "legend.frameon": False,
    "legend.fontsize": 8.5,
}


@dataclass(frozen=True)
class Interval:
    """A value with its 95% interval (NaN where unknown)."""

    value: float
    low: float
    high: float

    @property
    def finite(self) -> bool:
        return math.isfinite(self.value)

    def errors(self) -> tuple[float, float]:
        lo = self.value - self.low if math.isfinite(self.low) else 0.0
        hi = self.high - self.value if math.isfinite(self.high) else 0.0
        return max(lo, 0.0), max(hi, 0.0)


def _figure(height: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(WIDTH_IN, height), layout="constrained")


def to_svg(fig, label: str, salt: str) -> str:
    """The figure as an inline <svg> that scales with its container; ``label`` is its
    accessible name, ``salt`` keeps its element ids apart from other charts' on the page."""
    import matplotlib

    # every artist that shows data gets an id "mark-N", so a test (or a reader's tools) can
    # find the marks in the page; reference lines were named "ref-..." where drawn
    n = 0
    for ax in fig.axes:
        for artist in (*ax.patches, *ax.lines, *ax.collections):
            if artist.get_gid() is None:
                n += 1
                artist.set_gid(f"mark-{salt}-{n}")
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": salt, "svg.fonttype": "none"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    text = text[text.index("<svg"):]
    # matplotlib numbers its groups per figure (axes_1, line2d_1 ...); several charts on
    # one page would repeat them, so those get the chart's salt. Ids that are referenced
    # (markers, clip paths) are already hashed with the salt.
    referenced = set(re.findall(r'(?:href="#|url\(#)([^")]+)', text))
    text = re.sub(r' id="([^"]+)"',
                  lambda m: m.group(0) if m.group(1) in referenced or
                  m.group(1).startswith(("mark-", "ref-")) else f' id="{salt}-{m.group(1)}"',
                  text)
    # the viewBox keeps the aspect ratio; fixed width/height would overflow a phone
    text = re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r"<svg\1", text, count=1)
    safe = (label.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;"))
    text = text.replace("<svg", f'<svg role="img" aria-label="{safe}" focusable="false"', 1)
    return text


def _legend(fig, ax, columns: int) -> None:
    """The legend under the plot, outside it, so it never hides a mark."""
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="outside lower center", ncols=max(1, columns),
                   fontsize=8)


def _style():
    import matplotlib

    return matplotlib.rc_context(STYLE)


def _duration_axis(axis) -> None:
    """Log-scaled hours with ticks people read: 1m, 10m, 1h, 4h, 1d, 1w."""
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

    ticks = [1 / 60, 5 / 60, 15 / 60, 1, 4, 24, 72, 168, 720, 2160, 8760]
    names = {1 / 60: "1m", 5 / 60: "5m", 15 / 60: "15m", 1: "1h", 4: "4h", 24: "1d",
             72: "3d", 168: "1w", 720: "30d", 2160: "90d", 8760: "1y"}
    axis.set_major_locator(FixedLocator(ticks))
    axis.set_minor_locator(NullLocator())
    axis.set_major_formatter(FuncFormatter(lambda x, _: names.get(x, fmt.duration(x))))


def _money_axis(axis, currency: str) -> None:
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(lambda x, _: fmt.money(x, currency)))


def percent_axis(axis) -> None:
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(lambda x, _: f"{x * 100:.0f}%"))


# -- distributions ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Distribution:
    """One run's pooled histogram and its percentile estimates."""

    label: str
    edges: np.ndarray
    counts: np.ndarray
    #: "p50" -> interval, in hours
    marks: dict[str, Interval]


def distribution(series: Sequence[Distribution], *, what: str, items: str, label: str,
                 salt: str) -> str:
    """Shares of items per log-spaced duration bin, with each percentile's estimate as a
    line and its 95% interval as a band."""
    with _style():
        fig = _figure(3.4)
        ax = fig.add_subplot()
        lo_edge, hi_edge = math.inf, 0.0
        for i, s in enumerate(series):
            counts = np.asarray(s.counts, dtype=float)
            total = counts.sum()
            if total <= 0:
                continue
            edges = np.asarray(s.edges, dtype=float).copy()
            # the first bin starts at 0, which a log axis cannot draw: give it a decade
            edges[0] = edges[1] / 2
            finite = np.isfinite(edges[1:])
            left, right, share = edges[:-1][finite], edges[1:][finite], counts[finite] / total
            used = np.flatnonzero(share > 0)
            if len(used):
                lo_edge = min(lo_edge, left[used[0]])
                hi_edge = max(hi_edge, right[used[-1]])
            colour = PALETTE[i % len(PALETTE)]
            # one run needs no name in its legend: the page's title says it
            who = f"{s.label} " if len(series) > 1 else ""
            if len(series) == 1:
                ax.bar(left, share, width=right - left, align="edge", color=colour, alpha=0.55,
                       edgecolor=colour, linewidth=0.4, label=f"share of {items}")
            else:
                ax.stairs(share, np.append(left, right[-1]), color=colour, linewidth=1.6,
                          label=f"{s.label}: share of {items}")
            for j, (name, est) in enumerate(s.marks.items()):
                if not est.finite:
                    continue
                style = ("-", "--", ":")[j % 3]
                if math.isfinite(est.low) and math.isfinite(est.high) and est.high > est.low:
                    ax.axvspan(max(est.low, 1e-6), est.high, color=colour, alpha=0.16, linewidth=0)
                ax.axvline(est.value, color=colour, linestyle=style, linewidth=1.3,
                           label=f"{who}{name} {fmt.duration(est.value)} (band: 95% CI)")
        ax.set_xscale("log")
        if math.isfinite(lo_edge) and hi_edge > lo_edge:
            ax.set_xlim(lo_edge, hi_edge)
        _duration_axis(ax.xaxis)
        percent_axis(ax.yaxis)
        ax.set_xlabel(f"{what} (log scale; m = minutes, h = hours, d = days, w = weeks)")
        ax.set_ylabel(f"share of {items}")
        _legend(fig, ax, 2)
        return to_svg(fig, label, salt)


def ranges(rows: Sequence[str], series: Sequence[tuple[str, Sequence[dict[str, Interval]]]], *,
           xlabel: str, label: str, salt: str, log_hours: bool = True,
           axis: Callable | None = None) -> str:
    """Point estimates with 95% error bars: one row per category, one marker shape per
    statistic (p50, p95 ...), one colour per run, dodged vertically."""
    n_runs = len(series)
    stats = list(dict.fromkeys(k for _, per in series for d in per for k in d))
    with _style():
        fig = _figure(0.9 + 0.32 * len(rows) * max(1, n_runs) * max(1, len(stats)) ** 0.5)
        ax = fig.add_subplot()
        step = 0.8 / max(1, n_runs * len(stats))
        for r, (run_label, per_row) in enumerate(series):
            colour = PALETTE[r % len(PALETTE)]
            for k, stat in enumerate(stats):
                ys, xs, errs = [], [], [[], []]
                for i, d in enumerate(per_row):
                    est = d.get(stat)
                    if est is None or not est.finite:
                        continue
                    ys.append(i - 0.4 + step * (r * len(stats) + k + 0.5))
                    xs.append(est.value)
                    lo, hi = est.errors()
                    errs[0].append(lo)
                    errs[1].append(hi)
                name = f"{run_label} {stat}" if n_runs > 1 else stat
                ax.errorbar(xs, ys, xerr=errs, fmt=MARKERS[k % len(MARKERS)], color=colour,
                            ecolor=colour, elinewidth=1.2, capsize=3, markersize=5, label=name)
        ax.set_yticks(range(len(rows)), rows)
        ax.invert_yaxis()
        ax.grid(axis="y", visible=False)
        if log_hours:
            ax.set_xscale("log")
            _duration_axis(ax.xaxis)
        elif axis is not None:
            axis(ax.xaxis)
        ax.set_xlabel(xlabel)
        _legend(fig, ax, min(4, n_runs * len(stats)))
        return to_svg(fig, label, salt)


# -- cost -------------------------------------------------------------------------------------

def stacked(bars: Sequence[tuple[str, Sequence[tuple[str, float]], Interval | None]], *,
            currency: str, xlabel: str, label: str, salt: str) -> str:
    """Horizontal stacked bars: (bar label, [(part, amount)], total with its 95% CI).
    Each part keeps its colour across bars; the total's interval is a black error bar."""
    parts = list(dict.fromkeys(p for _, segs, _ in bars for p, _ in segs))
    colours = {p: PALETTE[i % len(PALETTE)] for i, p in enumerate(parts)}
    hatches = ("", "//", "..", "xx", "\\\\", "oo", "++", "--")
    with _style():
        fig = _figure(1.0 + 0.55 * len(bars) + 0.18 * len(parts))
        ax = fig.add_subplot()
        seen = set()
        for y, (_, segments, total) in enumerate(bars):
            left = 0.0
            for part, amount in segments:
                if not math.isfinite(amount) or amount <= 0:
                    continue
                i = parts.index(part)
                ax.barh(y, amount, left=left, color=colours[part], hatch=hatches[i % len(hatches)],
                        edgecolor="white", linewidth=0.6, height=0.6,
                        label=part if part not in seen else None)
                seen.add(part)
                left += amount
            if total is not None and total.finite:
                lo, hi = total.errors()
                ax.errorbar([total.value], [y], xerr=[[lo], [hi]], fmt="|", color="black",
                            markersize=14, capsize=4, elinewidth=1.4,
                            label="total, 95% CI" if "total" not in seen else None)
                seen.add("total")
        ax.set_yticks(range(len(bars)), [b[0] for b in bars])
        ax.invert_yaxis()
        ax.grid(axis="y", visible=False)
        _money_axis(ax.xaxis, currency)
        ax.set_xlim(left=0)
        ax.set_xlabel(xlabel)
        _legend(fig, ax, min(3, len(parts) + 1))
        return to_svg(fig, label, salt)


# -- utilisation --------------------------------------------------------------------------------

def utilisation(teams: Sequence[str], series: Sequence[tuple[str, Sequence[Interval | None]]], *,
                threshold: float, label: str, salt: str) -> str:
    """Each team's utilisation (bars, 95% error bars) against the stability threshold."""
    n = max(1, len(series))
    height = 0.8 / n
    with _style():
        fig = _figure(1.0 + 0.34 * len(teams) * n ** 0.7)
        ax = fig.add_subplot()
        top = threshold
        for r, (run_label, values) in enumerate(series):
            colour = PALETTE[r % len(PALETTE)]
            ys, xs, errs = [], [], [[], []]
            for i, est in enumerate(values):
                if est is None or not est.finite:
                    continue
                ys.append(i - 0.4 + height * (r + 0.5))
                xs.append(est.value)
                lo, hi = est.errors()
                errs[0].append(lo)
                errs[1].append(hi)
                top = max(top, est.high if math.isfinite(est.high) else est.value)
            ax.barh(ys, xs, height=height * 0.9, color=colour, alpha=0.8, label=run_label)
            ax.errorbar(xs, ys, xerr=errs, fmt="none", ecolor="black", elinewidth=1, capsize=3)
        ax.axvline(threshold, color=PALETTE[3], linestyle="--", linewidth=1.4,
                   label=f"stability threshold {threshold:.0%}", gid=f"ref-{salt}-threshold")
        ax.set_yticks(range(len(teams)), teams)
        ax.invert_yaxis()
        ax.grid(axis="y", visible=False)
        ax.set_xlim(0, max(1.0, top * 1.05))
        percent_axis(ax.xaxis)
        ax.set_xlabel("utilisation, share of working time busy (bars: mean; whiskers: 95% CI)")
        _legend(fig, ax, min(4, n + 1))
        return to_svg(fig, label, salt)


# -- compare ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Effect:
    """One metric's relative change against the baseline, with its 95% interval."""

    metric: str
    against: str
    change: Interval
    #: better, worse, changed or same
    verdict: str


VERDICT_STYLE = {"better": (PALETTE[0], "o"), "worse": (PALETTE[3], "s"),
                 "changed": (PALETTE[1], "D"), "same": (GREY, "|")}


def forest(effects: Sequence[Effect], *, label: str, salt: str) -> str:
    """Forest plot: each metric's relative change with its 95% CI; colour and marker say
    better, worse, changed or no significant change. Symmetric log x axis, so a +400%
    change does not squash the rest."""
    rows = list(dict.fromkeys(e.metric for e in effects))
    against = list(dict.fromkeys(e.against for e in effects))
    step = 0.8 / max(1, len(against))
    with _style():
        fig = _figure(0.9 + 0.24 * len(rows) * max(1, len(against)) ** 0.7)
        ax = fig.add_subplot()
        seen = set()
        widest = 0.1
        for e in effects:
            colour, marker = VERDICT_STYLE.get(e.verdict, (GREY, "o"))
            y = rows.index(e.metric) - 0.4 + step * (against.index(e.against) + 0.5)
            lo, hi = e.change.errors()
            name = e.verdict if len(against) == 1 else f"{e.against}: {e.verdict}"
            ax.errorbar([e.change.value], [y], xerr=[[lo], [hi]], fmt=marker, color=colour,
                        ecolor=colour, markersize=5, capsize=2.5, elinewidth=1.2,
                        label=name if name not in seen else None)
            seen.add(name)
            for x in (e.change.low, e.change.high, e.change.value):
                if math.isfinite(x):
                    widest = max(widest, abs(x))
        ax.axvline(0, color="black", linewidth=0.8, gid=f"ref-{salt}-zero")
        ax.set_xscale("symlog", linthresh=0.1)
        from matplotlib.ticker import FuncFormatter

        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x * 100:+.0f}%" if x else "0"))
        ax.set_xlim(-widest * 1.2, widest * 1.2)
        ax.set_yticks(range(len(rows)), rows)
        ax.invert_yaxis()
        ax.grid(axis="y", visible=False)
        ax.set_xlabel("change against A, % of A's value (symmetric log scale; whiskers: 95% CI)")
        _legend(fig, ax, 4)
        return to_svg(fig, label, salt)


# -- weeks (calibrate) -------------------------------------------------------------------------

def weekly(weeks: Sequence[tuple[str, int]], steady: tuple[int, int] | None, level: Interval | None,
           *, label: str, salt: str) -> str:
    """Incidents per week as bars, the steady weeks shaded, the weekly rate and its CI."""
    with _style():
        fig = _figure(3.0)
        ax = fig.add_subplot()
        x = np.arange(len(weeks))
        ax.bar(x, [c for _, c in weeks], color=PALETTE[0], width=0.85, label="incidents opened")
        if steady is not None:
            ax.axvspan(steady[0] - 0.5, steady[1] + 0.5, color=PALETTE[1], alpha=0.15,
                       label="steady weeks (rate measured here)")
        if level is not None and level.finite:
            ax.axhline(level.value, color=PALETTE[3], linestyle="--", linewidth=1.3,
                       label=f"median steady week {fmt.number(level.value)}")
            if math.isfinite(level.low) and math.isfinite(level.high):
                ax.axhspan(level.low, level.high, color=PALETTE[3], alpha=0.12,
                           label="its 95% CI")
        step = max(1, len(weeks) // 10)
        ax.set_xticks(x[::step], [w for w, _ in weeks][::step], rotation=30, ha="right")
        ax.grid(axis="x", visible=False)
        ax.set_xlabel("ISO week opened")
        ax.set_ylabel("incidents per week")
        _legend(fig, ax, 2)
        return to_svg(fig, label, salt)
