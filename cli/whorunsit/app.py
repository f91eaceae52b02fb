"""The typer app: parses arguments, calls the library, maps errors to exit codes.

Nothing heavy is imported at module level, so ``whorunsit --help`` starts fast; each
command module imports numpy, scipy and the engine inside its function.
"""

from __future__ import annotations

import sys

import typer

from whorunsit import __version__
from whorunsit.commands import (
    cache,
    calibrate,
    compare,
    fit,
    gate,
    init,
    metrics,
    schema,
    show,
    simulate,
    validate,
    warmup,
)
from whorunsit.commands import optimise as optimise_cmd
from whorunsit.commands import sensitivity as sensitivity_cmd
from whorunsit.commands import sweep as sweep_cmd
from whorunsit.commands.common import state

app = typer.Typer(
    name="whorunsit",
    help=(
        "Who runs it? Monte Carlo scenario analyser for IT operating models.\n\n"
        "Describe teams, support tiers, on-call rotas, applications and deployment demand "
        "in a YAML scenario; whorunsit plays many weeks of incidents and deployments "
        "through it and reports time to restore, lead times, queueing, on-call and "
        "downtime cost, each with a 95% confidence interval.\n\n"
        "Examples:\n\n"
        "\b\n"
        "  whorunsit init my-organisation.yaml\n"
        "  whorunsit validate scenarios/*.yaml\n"
        "  whorunsit show scenarios/you-build-it-you-run-it.yaml\n"
        "  whorunsit simulate scenarios/you-build-it-ops-run-it.yaml\n"
        "  whorunsit compare scenarios/you-build-it-ops-run-it.yaml \\\n"
        "      scenarios/you-build-it-you-run-it.yaml\n"
        "  whorunsit gate proposal.yaml --baseline current.yaml\n"
        "  whorunsit calibrate incidents.csv --format yaml\n"
        "  whorunsit metrics scenarios/you-build-it-ops-run-it.yaml\n\n"
        "Exit codes: 0 success, 1 a gate failed, 2 invalid input or usage."
    ),
    no_args_is_help=True,
    add_completion=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


def version_line() -> str:
    """``whorunsit X (numba Y, numpy Z, Python V)``: what a bug report and a CI cache key need.

    Read from the installed distributions' metadata, so nothing heavy is imported.
    """
    from importlib.metadata import PackageNotFoundError, version

    def installed(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "not installed"

    python = ".".join(str(n) for n in sys.version_info[:3])
    return (f"whorunsit {__version__} (numba {installed('numba')}, numpy {installed('numpy')}, "
            f"Python {python})")


def _version(value: bool) -> None:
    if value:
        typer.echo(version_line())
        raise typer.Exit()


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show Python tracebacks for errors."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    state.debug = debug


# a short_help of its own for each command: click cuts a docstring's first sentence to
# fit the terminal ("what the organisation..."), and a cut description explains nothing
app.command("init", short_help="Write a commented starting scenario from a few answers.")(
    init.command)
app.command("validate", short_help="Check scenario files without simulating them.")(validate.command)
app.command("schema", short_help="Print the JSON Schema of the scenario format.")(schema.command)
app.command("show", short_help="Print a scenario as the engine sees it, defaults marked.")(
    show.command)
app.command("simulate", short_help="Simulate a scenario: time to restore, delivery, cost.")(
    simulate.command)
app.command("compare", short_help="Compare scenarios side by side, each against the first.")(
    compare.command)
app.command("gate", short_help="Judge a scenario's assertions in CI (exit 1 on failure).")(
    gate.command)
app.command("calibrate", short_help="Measure an incident log: figures for a scenario.")(
    calibrate.command)
app.command("fit", short_help="Fit a scenario to a real ticket log, side by side with it.")(
    fit.command)
app.command("metrics", short_help="List metric names, units and meanings.")(metrics.command)
app.command("sweep", short_help="Vary scenario values over a grid: metrics and the knee.")(
    sweep_cmd.command)
app.command("optimise", short_help="Find the best variant that meets every target.")(
    optimise_cmd.command)
app.command("sensitivity", short_help="Which inputs move a metric most (tornado, Sobol).")(
    sensitivity_cmd.command)
app.command("cache", short_help="Show where the compiled engine is cached; clear it.")(
    cache.command)
app.command("warmup", short_help="Compile the simulation engine now, once, not on first use.")(
    warmup.command)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
