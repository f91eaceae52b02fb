"""Distribution parsing: every family, the exact lognormal conversion, impossible ones."""

import math

import numpy as np
import pytest
from scipy import stats

from whorunsit.engine.random.quantiles import quantiles
from whorunsit.scenario.distributions import parse_distribution
from whorunsit.scenario.units import UnitError


@pytest.mark.parametrize("text, kind, params", [
    ("fixed(5m)", "fixed", (5 / 60,)),
    ("5m", "fixed", (5 / 60,)),
    ("fixed(value=2h)", "fixed", (2.0,)),
    ("exponential(mean=20m)", "exponential", (1 / 3,)),
    ("exponential(20m)", "exponential", (1 / 3,)),
    ("triangular(10m, 30m, 2h)", "triangular", (1 / 6, 0.5, 2.0)),
    ("triangular(low=10m, mode=30m, high=2h)", "triangular", (1 / 6, 0.5, 2.0)),
    ("uniform(10m, 1h)", "uniform", (1 / 6, 1.0)),
    ("uniform(high=1h, low=10m)", "uniform", (1 / 6, 1.0)),
    ("empirical([5m, 10m, 1h])", "empirical", (5 / 60, 10 / 60, 1.0)),
    ("empirical(5m, 1h)", "empirical", (5 / 60, 1.0)),
    ("Exponential( mean = 1h30m )", "exponential", (1.5,)),
])
def test_families(text, kind, params):
    d = parse_distribution(text)
    assert d.kind == kind
    assert d.params == pytest.approx(params)
    assert d.text == text.strip()


def test_lognormal_conversion_is_exact():
    d = parse_distribution("lognormal(median=1h, p95=6h)")
    mu, sigma = d.params
    assert mu == pytest.approx(0.0, abs=1e-15)
    # the declared median and p95 are the distribution's own quantiles
    dist = stats.lognorm(s=sigma, scale=math.exp(mu))
    assert dist.ppf(0.5) == pytest.approx(1.0, rel=1e-12)
    assert dist.ppf(0.95) == pytest.approx(6.0, rel=1e-12)


def test_lognormal_in_minutes_converts_to_hours():
    d = parse_distribution("lognormal(median=45m, p95=3h)")
    dist = stats.lognorm(s=d.params[1], scale=math.exp(d.params[0]))
    assert dist.ppf(0.5) == pytest.approx(0.75, rel=1e-12)
    assert dist.ppf(0.95) == pytest.approx(3.0, rel=1e-12)


def test_lognormal_samples_match_declared_quantiles():
    # sampled the way the engine samples: its quantile function applied to uniforms
    d = parse_distribution("lognormal(median=1h, p95=6h)")
    x = quantiles(d, np.random.default_rng(7).random(200_000))
    # binomial standard error of the empirical p95 at n=200k is 0.05%; 4 SE of slack
    assert np.mean(x <= 6.0) == pytest.approx(0.95, abs=4 * math.sqrt(0.95 * 0.05 / 200_000))
    assert np.mean(x <= 1.0) == pytest.approx(0.5, abs=4 * math.sqrt(0.25 / 200_000))


@pytest.mark.parametrize("text, mean, sd", [
    ("exponential(mean=20m)", 1 / 3, 1 / 3),
    ("uniform(1h, 3h)", 2.0, 2 / math.sqrt(12)),
    ("triangular(1h, 2h, 6h)", 3.0, math.sqrt((1 + 4 + 36 - 2 - 6 - 12) / 18)),
    ("empirical([1h, 2h, 6h])", 3.0, math.sqrt(((1 - 3) ** 2 + (2 - 3) ** 2 + (6 - 3) ** 2) / 3)),
])
def test_engine_samples_have_the_declared_mean(text, mean, sd):
    n = 200_000
    x = quantiles(parse_distribution(text), np.random.default_rng(11).random(n))
    # 4 standard errors of the sample mean
    assert x.mean() == pytest.approx(mean, abs=4 * sd / math.sqrt(n))


@pytest.mark.parametrize("bad, message", [
    ("lognormal(median=1h, p95=30m)", "'lognormal(median=1h, p95=30m)': p95 must be greater than the median"),
    ("lognormal(median=1h, p95=1h)", "'lognormal(median=1h, p95=1h)': p95 must be greater than the median"),
    ("lognormal(median=0m, p95=1h)", "'lognormal(median=0m, p95=1h)': the median must be more than zero"),
    ("exponential(mean=0m)", "'exponential(mean=0m)': the mean must be more than zero"),
    ("exponential(mean=5)", "'exponential(mean=5)': mean '5' has no unit"),
    ("triangular(1h, 30m, 2h)", "'triangular(1h, 30m, 2h)': needs low <= mode <= high and low < high"),
    ("uniform(1h, 1h)", "'uniform(1h, 1h)': low must be less than high"),
    ("empirical([])", "'empirical([])': empirical needs at least one value"),
    ("gamma(1h)", "'gamma(1h)': unknown distribution 'gamma'"),
    ("lognormal(median=1h)", "'lognormal(median=1h)': lognormal takes 2 arguments (median, p95), not 1"),
    ("lognormal(mean=1h, p95=2h)", "'lognormal(mean=1h, p95=2h)': lognormal has no parameter 'mean'"),
    ("lognormal(1h, median=2h)", "'lognormal(1h, median=2h)': median is given twice"),
    ("fixed(-5m)", "'fixed(-5m)': value '-5m' is negative"),
    ("soon", "'soon' is not a distribution"),
    (5, "'5' is not a distribution (durations need a unit)"),
    (None, "an empty value is not a distribution"),
])
def test_impossible_distributions(bad, message):
    with pytest.raises(UnitError) as info:
        parse_distribution(bad)
    assert info.value.message == message
    assert info.value.expected
