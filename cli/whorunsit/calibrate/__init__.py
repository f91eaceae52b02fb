"""Calibration: the figures of a real incident log that a scenario is written against.

    from whorunsit import calibrate
    cal = calibrate.calibrate("incidents.csv.zip")
    cal.figures()["incidents.time_to_restore.p50"]   # value, 95% CI, unit, n

Data flows one way, like the rest of the tool: ``source`` opens a CSV (or a zip holding
one), ``records`` splits it into located records, ``log`` keeps the last row of each
incident and reads its cells (``values``), ``figures`` measures them (with the intervals
of ``intervals`` and the weeks of ``weeks``), ``render`` and ``snippet`` write the report
and the scenario YAML; ``options`` reads the command's flags. Only numpy, scipy and the
standard library are used.
"""

from __future__ import annotations

from pathlib import Path

from whorunsit.calibrate.figures import Calibration, WorkingHours, measure
from whorunsit.calibrate.intervals import Figure
from whorunsit.calibrate.log import DEFAULT_COLUMNS, Log, read_log
from whorunsit.calibrate.options import Options

__all__ = ["DEFAULT_COLUMNS", "Calibration", "Figure", "Log", "Options", "WorkingHours",
           "calibrate", "measure", "read_log"]


def calibrate(path: str | Path, options: Options | None = None) -> Calibration:
    """Read the incident log at ``path`` and measure it. Bad input raises InputError."""
    options = options or Options()
    log = read_log(path, options.columns, options.date_format, options.resolved_status)
    return measure(log, options.working_hours, options.weeks, options.top_groups)
