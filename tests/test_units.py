"""Every unit parser: the forms people write, and the located-message errors."""

import math

import pytest

from whorunsit.model import Window
from whorunsit.scenario.units import (
    HOURS_PER_YEAR,
    UnitError,
    format_duration,
    parse_clock_range,
    parse_duration,
    parse_money,
    parse_number,
    parse_quantity,
    parse_rate,
    parse_share,
    parse_time_of_week,
    parse_window,
)


@pytest.mark.parametrize("text, hours", [
    ("15m", 0.25), ("4h", 4.0), ("2d", 48.0), ("1w", 168.0), ("90s", 0.025),
    ("1h30m", 1.5), ("1h 30m", 1.5), ("0m", 0.0), ("0.5h", 0.5), (".5h", 0.5),
    ("10min", 10 / 60), ("2 hours", 2.0), ("3 days", 72.0), ("1d12h", 36.0), ("1y", HOURS_PER_YEAR),
])
def test_duration(text, hours):
    assert parse_duration(text) == pytest.approx(hours)


@pytest.mark.parametrize("bad, message", [
    ("5", "'5' has no unit"),
    (5, "'5' has no unit"),
    ("5x", "'5x' has an unknown time unit 'x'"),
    ("-1h", "'-1h' is negative"),
    ("h", "'h' is not a duration"),
    ("1h-", "'1h-' is not a duration"),
    (None, "an empty value is not a value with a unit"),
    (True, "'true' is not a value with a unit"),
])
def test_duration_errors(bad, message):
    with pytest.raises(UnitError) as info:
        parse_duration(bad)
    assert info.value.message == message
    assert "such as 90s, 15m, 4h" in info.value.expected or bad in (None, True)


def test_bare_duration_only_when_allowed():
    assert parse_duration("5", allow_bare=True) == 5.0
    assert parse_duration(2.5, allow_bare=True) == 2.5
    with pytest.raises(UnitError):
        parse_duration(-2, allow_bare=True)


def test_unit_error_is_a_value_error_with_both_parts():
    err = UnitError("what is wrong", "what is expected")
    assert isinstance(err, ValueError)
    assert str(err) == "what is wrong; what is expected"


@pytest.mark.parametrize("text, per_hour", [
    ("3/week", 3 / 168), ("0.5/day", 0.5 / 24), ("2/h", 2.0), ("1/2w", 1 / 336),
    ("12/year", 12 / HOURS_PER_YEAR), ("1/month", 12 / HOURS_PER_YEAR), ("20/h", 20.0),
    ("0/week", 0.0), ("1,200/year", 1200 / HOURS_PER_YEAR),
])
def test_rate(text, per_hour):
    assert parse_rate(text) == pytest.approx(per_hour)


@pytest.mark.parametrize("bad, message", [
    ("4", "'4' has no period"),
    ("x/week", "'x/week' is not a rate"),
    ("3/fortnight", "'3/fortnight' has an unknown period 'fortnight'"),
    ("-3/week", "'-3/week' is negative"),
    ("3/0h", "'3/0h' has a zero period"),
])
def test_rate_errors(bad, message):
    with pytest.raises(UnitError) as info:
        parse_rate(bad)
    assert info.value.message == message


@pytest.mark.parametrize("value, share", [
    ("15%", 0.15), ("99.9%", 0.999), ("100%", 1.0), ("0%", 0.0), (0.15, 0.15), (1, 1.0),
    ("0.25", 0.25),
])
def test_share(value, share):
    assert parse_share(value) == share


def test_percent_is_exact_enough_for_target_matching():
    assert parse_share("99.9%") == 0.999
    assert parse_share("99.0%") == 0.99


@pytest.mark.parametrize("bad, message", [
    ("150%", "'150%' is outside 0-100%"),
    ("-5%", "'-5%' is outside 0-100%"),
    (15, "'15' is more than 1"),
    ("abc", "'abc' is not a share"),
    ("x%", "'x%' is not a percentage"),
])
def test_share_errors(bad, message):
    with pytest.raises(UnitError) as info:
        parse_share(bad)
    assert info.value.message == message


def test_share_without_fractions():
    with pytest.raises(UnitError, match="no % sign"):
        parse_share("0.5", allow_fraction=False)


@pytest.mark.parametrize("text, amount, per", [
    ("350 GBP/week", 350.0, 168.0), ("75 GBP", 75.0, None), ("40 GBP/day", 40.0, 24.0),
    ("30 GBP/h", 30.0, 1.0), ("1.2M GBP", 1.2e6, None), ("25k GBP", 25_000.0, None),
    ("1,200 GBP", 1200.0, None), ("£300/week", 300.0, 168.0), ("75", 75.0, None),
    (75, 75.0, None), ("1,234,567.5 GBP", 1234567.5, None), ("0/week", 0.0, 168.0),
    ("30 gbp/hour", 30.0, 1.0),
])
def test_money(text, amount, per):
    got = parse_money(text, "GBP")
    assert got[0] == pytest.approx(amount)
    assert got[1] == per


@pytest.mark.parametrize("bad, message", [
    ("350 EUR", "'350 EUR' is in EUR but the scenario's currency is GBP"),
    ("4min", "'4min' is not an amount of money"),
    ("abc", "'abc' is not an amount of money"),
    ("-5 GBP", "'-5 GBP' is negative"),
    ("3 GBP/fortnight", "'3 GBP/fortnight' has an unknown period 'fortnight'"),
    ("$5 GBP", "'$5 GBP' names two currencies"),
])
def test_money_errors(bad, message):
    with pytest.raises(UnitError) as info:
        parse_money(bad, "GBP")
    assert info.value.message == message


def test_money_without_a_scenario_currency_accepts_any():
    assert parse_money("10 EUR") == (10.0, None)


@pytest.mark.parametrize("text, value", [
    ("3", 3.0), ("0.5", 0.5), ("1,200", 1200.0), ("25k", 25e3), ("1.2M", 1.2e6), ("2bn", 2e9),
    ("1e3", 1000.0), ("-2", -2.0),
])
def test_number(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("bad", ["1,20", "abc", "", "nan", "inf", float("inf")])
def test_number_errors(bad):
    with pytest.raises(UnitError):
        parse_number(bad)


@pytest.mark.parametrize("text, hours", [
    ("Mon 00:00", 0.0), ("Tue 10:00", 34.0), ("Sun 23:30", 167.5), ("friday 17:00", 113.0),
])
def test_time_of_week(text, hours):
    assert parse_time_of_week(text) == hours


@pytest.mark.parametrize("bad, message", [
    ("Tue", "'Tue' is not a day and time"),
    ("Tue 25:00", "'Tue 25:00': '25:00' is not a time of day"),
    ("Blursday 10:00", "'Blursday 10:00': 'Blursday' is not a day of the week"),
    ("Tue 10:60", "'Tue 10:60': '10:60' is not a time of day"),
    ("Tue 24:00", "'Tue 24:00': '24:00' is not a time of day"),
])
def test_time_of_week_errors(bad, message):
    with pytest.raises(UnitError) as info:
        parse_time_of_week(bad)
    assert info.value.message == message


@pytest.mark.parametrize("text, windows", [
    ("Tue 18:00-22:00", [(42, 46)]),
    ("Mon-Wed 18:00-22:00", [(18, 22), (42, 46), (66, 70)]),
    ("Sat,Sun 10:00-16:00", [(130, 136), (154, 160)]),
    ("Fri 22:00-02:00", [(118, 122)]),
    ("Sun 22:00-02:00", [(0, 2), (166, 168)]),
    ("Fri-Mon 09:00-10:00", [(9, 10), (105, 106), (129, 130), (153, 154)]),
    ("Fri 18:00-Mon 06:00", [(0, 6), (114, 168)]),
    ("Wed 00:00-24:00", [(48, 72)]),
])
def test_window(text, windows):
    assert parse_window(text) == [Window(float(a), float(b)) for a, b in windows]


@pytest.mark.parametrize("bad", ["Tue", "Tue 18:00", "Tue 18:00-18:00", "Xyz 10:00-11:00",
                                 "Tue 18:00-25:00", "18:00-22:00"])
def test_window_errors(bad):
    with pytest.raises(UnitError) as info:
        parse_window(bad)
    assert "weekly window" in info.value.expected


def test_clock_range():
    assert parse_clock_range("09:00-17:00") == (9.0, 17.0)
    assert parse_clock_range("08:30-24:00") == (8.5, 24.0)
    for bad in ("17:00-09:00", "09:00", "9-17"):
        with pytest.raises(UnitError):
            parse_clock_range(bad)


@pytest.mark.parametrize("text, value, kind", [
    ("4h", 4.0, "duration"), ("1h30m", 1.5, "duration"), ("1.2M GBP", 1.2e6, "money"),
    ("10%", 0.1, "share"), ("3/week", 3 / 168, "rate"), ("5", 5.0, "number"), (0, 0.0, "number"),
    ("1.2M", 1.2e6, "number"), ("4min", 4 / 60, "duration"), ("2 days", 48.0, "duration"),
    ("100k GBP/year", 100_000.0, "money/year"), ("2k GBP/week", 2000 * HOURS_PER_YEAR / 168, "money/year"),
    ("-2h", -2.0, "duration"), ("£5", 5.0, "money"),
])
def test_quantity(text, value, kind):
    got_value, got_kind = parse_quantity(text)
    assert got_kind == kind
    assert got_value == pytest.approx(value)


@pytest.mark.parametrize("bad", ["", "abc", "4 parsecs", "GBP"])
def test_quantity_errors(bad):
    with pytest.raises(UnitError):
        parse_quantity(bad)


@pytest.mark.parametrize("hours, text", [
    (2184.0, "13w"), (0.25, "15m"), (48.0, "2d"), (1.5, "90m"), (0.0, "0h"), (5.0, "5h"),
])
def test_format_duration(hours, text):
    assert format_duration(hours) == text
    assert math.isclose(parse_duration(text), hours)
