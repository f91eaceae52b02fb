"""The typer app: parses arguments, calls the library, maps errors to exit codes.

Nothing heavy is imported at module level, so ``whorunsit --help`` starts fast; each
command module imports numpy, scipy and the engine inside its function.
"""

from __future__ import annotations

import sys

import typer

from whorunsit import __version__
from whorunsit.commands import calibrate, compare, gate, init, schema, show, simulate, validate
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
        "  whorunsit calibrate incidents.csv --format yaml\n\n"
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


app.command("init")(init.command)
app.command("validate")(validate.command)
app.command("schema")(schema.command)
app.command("show")(show.command)
app.command("simulate")(simulate.command)
app.command("compare")(compare.command)
app.command("gate")(gate.command)
app.command("calibrate")(calibrate.command)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
