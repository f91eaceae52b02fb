"""Number formatting: units, thousands separators, ± in the value's scale."""

import math

from whorunsit.report import format as fmt
from whorunsit.stats.results import Estimate


def est(name, value, half, n=30):
    return Estimate(name, value, value - half, value + half, "", n)


def test_number_has_three_significant_figures_and_thousands_separators():
    assert fmt.number(1234567.8) == "1,234,568"
    assert fmt.number(123.4) == "123"
    assert fmt.number(12.34) == "12.3"
    assert fmt.number(1.234) == "1.23"
    assert fmt.number(0.2134) == "0.21"
    assert fmt.number(0.0) == "0"
    assert fmt.number(math.nan) == fmt.MISSING


def test_durations_pick_a_readable_scale():
    assert fmt.duration(0.005) == "18.0s"
    assert fmt.duration(0.5) == "30.0m"
    assert fmt.duration(3.37) == "3.37h"
    assert fmt.duration(47.0) == "47.0h"
    assert fmt.duration(100.0) == "4.17d"
    assert fmt.duration(0.0) == "0h"


def test_spans_for_the_header():
    assert fmt.span(13 * 168) == "13 weeks"
    assert fmt.span(168) == "1 week"
    assert fmt.span(48) == "2 days"
    assert fmt.span(5.5) == "5.50 h"


def test_money_symbols_and_codes():
    assert fmt.money(1234567.4, "GBP") == "£1,234,567"
    assert fmt.money(12.5, "EUR") == "€12.50"
    assert fmt.money(-300, "USD") == "-$300"
    assert fmt.money(1200, "CHF") == "CHF 1,200"


def test_shares_targets_and_availability():
    assert fmt.percent(0.923) == "92.3%"
    assert fmt.availability(0.99953) == "99.953%"
    assert fmt.target(0.999) == "99.9%"
    assert fmt.target(0.95) == "95.0%"
    assert fmt.target(0.9995) == "99.95%"


def test_estimate_shows_half_width_in_the_values_scale():
    assert fmt.estimate(est("incidents.time_to_restore.p50", 3.37, 0.063)) == "3.37h ±0.06h"
    assert fmt.estimate(est("deployments.lead_time.p50", 51.1, 0.96)) == "2.13d ±0.04d"
    assert fmt.estimate(est("teams.x.utilisation", 0.919, 0.006)) == "91.9% ±0.6%"
    assert fmt.estimate(est("cost.oncall", 177582.4, 2749.3), "GBP") == "£177,582/yr ±£2,749"
    assert fmt.estimate(est("cost.oncall", 177582.4, 2749.3), "GBP", suffix=False) == (
        "£177,582 ±£2,749")
    assert fmt.estimate(est("incidents.per_week", 5.8, 0.098)) == "5.80/wk ±0.10"
    assert fmt.estimate(est("oncall.unpaid_hours", 120.0, 2.35)) == "120 h/yr ±2"


def test_tiny_half_width_keeps_one_significant_figure():
    assert fmt.estimate(est("incidents.reassignments.mean", 0.21, 0.0041)) == "0.21 ±0.004"


def test_application_availability_keeps_three_decimals():
    e = est("applications.checkout.availability", 0.99850, 0.00011)
    assert fmt.estimate(e) == "99.850% ±0.011%"
    assert fmt.metric("applications.checkout.availability", 0.9995) == "99.950%"


def test_exact_missing_and_unknown_intervals():
    assert fmt.estimate(est("cost.oncall", 0.0, 0.0)) == "£0/yr"
    assert fmt.estimate(est("cost.oncall", math.nan, math.nan)) == fmt.MISSING
    assert fmt.estimate(None) == fmt.MISSING
    one = Estimate("incidents.per_week", 5.0, -math.inf, math.inf, "/week", 1)
    assert fmt.estimate(one) == "5.00/wk ±?"


def test_relative_precision():
    assert math.isclose(fmt.relative_precision(est("x", 10.0, 0.31)), 0.031)
    assert fmt.relative_precision(est("x", 10.0, 0.0)) == 0.0
    assert fmt.relative_precision(Estimate("x", 1.0, -math.inf, math.inf, "", 1)) == math.inf
