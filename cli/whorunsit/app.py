"""The typer app: parses arguments, calls the library, maps errors to exit codes.

Nothing heavy is imported at module level, so ``whorunsit --help`` starts fast; each
command module imports numpy, scipy and the engine inside its function.
"""

from __future__ import annotations

import sys

import typer

from whorunsit import __version__
from whorunsit.commands import calibrate, compare, fit, gate, schema, simulate, validate
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
        "  whorunsit validate scenarios/*.yaml\n"
        "  whorunsit simulate scenarios/you-build-it-ops-run-it.yaml\n"
        "  whorunsit compare scenarios/you-build-it-ops-run-it.yaml \\\n"
        "      scenarios/you-build-it-you-run-it.yaml\n"
        "  whorunsit gate proposal.yaml --baseline current.yaml\n"
        "  whorunsit calibrate incidents.csv --format yaml\n\n"
        "Exit codes: 0 success, 1 a gate failed, 2 invalid input or usage."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"whorunsit {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show Python tracebacks for errors."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    state.debug = debug


app.command("validate")(validate.command)
app.command("schema")(schema.command)
app.command("simulate")(simulate.command)
app.command("compare")(compare.command)
app.command("gate")(gate.command)
app.command("calibrate")(calibrate.command)
app.command("fit")(fit.command)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
