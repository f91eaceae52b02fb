"""`whorunsit metrics [SCENARIO]`: the metric names gates and --metrics accept."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from whorunsit.commands.common import choice, guarded

FORMATS = ("table", "json")

HELP = """List every metric name with its unit, which way is better and what it means.

Without a scenario: the catalogue, with * where a team, rota or application name goes
(teams.*.utilisation). With one: the concrete names a simulation of it reports, its
teams and applications filled in, money in its currency. Use the names in gates
(incidents.time_to_restore.p95 < 4h), in compare --metrics and to read --format json.

\b
Examples:
  whorunsit metrics
  whorunsit metrics scenarios/you-build-it-ops-run-it.yaml
  whorunsit metrics scenarios/you-build-it-ops-run-it.yaml --format json
"""


def command(
    file: Path | None = typer.Argument(None, metavar="[SCENARIO]", show_default=False,
                                       help="Scenario YAML file: list its concrete metric names."),
    output_format: str = typer.Option("table", "--format", "-f", metavar="table|json",
                                      help="Output format: table or json."),
) -> None:
    with guarded():
        choice("--format", output_format, FORMATS)
        from whorunsit.report import metrics as report

        if file is None:
            rows, currency, title, about = report.rows(), "GBP", "Metrics (* = a team, rota or " \
                "application name; money in the scenario's currency)", None
        else:
            from whorunsit.gate.assertions import known_metrics
            from whorunsit.scenario import load_scenario

            scenario = load_scenario(file)
            rows, currency = report.rows(known_metrics(scenario)), scenario.currency
            title = f"Metrics of {scenario.name} ({file})"
            about = {"name": scenario.name, "file": str(file), "currency": currency}
        if output_format == "json":
            sys.stdout.write(report.render_json(rows, currency=currency, scenario=about))
            return
        from rich.console import Console

        report.write_table(rows, Console(highlight=False, emoji=False), currency=currency,
                           title=title)


command.__doc__ = HELP
