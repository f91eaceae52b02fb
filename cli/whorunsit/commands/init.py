"""``whorunsit init [FILE]``: a commented starting scenario from a handful of answers."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from whorunsit.commands.common import fail, guarded, whole


def command(
    file: Path = typer.Argument(Path("scenario.yaml"), metavar="[FILE]",
                                help="Where to write the scenario (default scenario.yaml)."),
    model: str | None = typer.Option(
        None, "--model", "-m", metavar="you-run|ops-run",
        help="Operating model: you-run (You Build It You Run It) or ops-run (You Build It "
             "Ops Run It)."),
    name: str | None = typer.Option(None, "--name", help="Scenario name."),
    teams: str | None = typer.Option(None, "--teams", metavar="N", help="Delivery teams."),
    applications: str | None = typer.Option(None, "--applications", metavar="N",
                                            help="Applications (owned in turn by the teams)."),
    targets: str | None = typer.Option(
        None, "--targets", metavar="99.9%,99%",
        help="Availability targets, given to the applications in turn."),
    tiers: str | None = typer.Option(
        None, "--tiers", metavar="KIND=N,...",
        help="Support tiers in front of the delivery teams, in order, with headcounts: "
             "service-desk, ops-bridge, app-ops, monitoring (e.g. service-desk=6,app-ops=5; "
             "'none' for alerts and customers straight to the team)."),
    standby: str | None = typer.Option(None, "--standby", metavar="AMOUNT/week",
                                       help="Rota standby pay per person on call."),
    callout_fee: str | None = typer.Option(None, "--callout-fee", metavar="AMOUNT",
                                           help="Rota pay per callout."),
    callout_pay: str | None = typer.Option(None, "--callout-pay", metavar="AMOUNT/h",
                                           help="Rota pay per hour worked on a callout."),
    currency: str | None = typer.Option(None, "--currency", metavar="CODE",
                                        help="Currency of every amount (default GBP)."),
    interactive: bool | None = typer.Option(
        None, "--interactive/--no-input",
        help="Ask for every answer not given as a flag (default: when run at a terminal). "
             "--no-input takes the defaults instead, for scripts."),
    force: bool = typer.Option(False, "--force", "-f", help="Overwrite FILE if it exists."),
) -> None:
    """Write a valid, commented starting scenario from a handful of answers.

    Asks (at a terminal) which operating model, how many delivery teams and
    applications, the availability targets, the support tiers and their headcounts,
    and what the on-call rota pays; flags answer the same questions for scripts, and
    anything not answered takes the default shown. Every timing is written out with
    a comment, the file is checked by the loader before it is written, and an
    existing FILE is never overwritten without --force.

    Examples:

      whorunsit init

      whorunsit init proposal.yaml --model you-run --teams 4 --applications 8 \\
          --targets 99.9%,99% --tiers service-desk=6 --standby "250 GBP/week" --no-input

      whorunsit init ops.yaml --model ops-run --tiers service-desk=6,app-ops=5 --no-input
    """
    with guarded():
        from whorunsit.wizard import (
            MODEL_HELP,
            MODELS,
            PAY,
            Answers,
            check_answer,
            default_tiers,
            parse_targets,
            parse_tiers,
            problems,
            render,
        )

        if file.exists() and not force:
            raise fail(f"error: {file} already exists; pass --force to overwrite it, or name "
                       "another file")
        ask = interactive if interactive is not None else sys.stdin.isatty()
        a = Answers()
        given = {"model": model, "name": name, "currency": currency, "teams": teams,
                 "applications": applications, "targets": targets, "tiers": tiers,
                 "standby": standby, "callout_fee": callout_fee, "callout_pay": callout_pay}

        def flag(key: str) -> str:
            return "--" + key.replace("_", "-")

        def convert(key: str, text: str):
            if key in ("teams", "applications"):
                return whole(flag(key), text, 1)
            if key == "targets":
                return parse_targets(text)
            if key == "tiers":
                try:
                    return parse_tiers(text)
                except ValueError as exc:
                    raise fail(f"error: --tiers: {exc}") from None
            return text.strip()

        def shown(key: str) -> str:
            value = getattr(a, key)
            if key == "targets":
                return ",".join(value)
            if key == "tiers":
                return ",".join(f"{k}={n}" for k, n in value) or "none"
            return str(value)

        questions = [
            ("model", "Operating model (" + "; ".join(f"{m}: {MODEL_HELP[m]}" for m in MODELS)
             + ")"),
            ("name", "Scenario name"),
            ("currency", "Currency"),
            ("teams", "How many delivery teams"),
            ("applications", "How many applications"),
            ("targets", "Availability targets, given to the applications in turn"),
            ("tiers", "Support tiers in front of the delivery teams, KIND=HEADCOUNT in order "
                      "(service-desk, ops-bridge, app-ops, monitoring; none for none)"),
            ("standby", "Rota standby pay per person on call"),
            ("callout_fee", "Rota pay per callout"),
            ("callout_pay", "Rota pay per hour worked on a callout"),
        ]
        for key, question in questions:
            if key == "tiers" and given["tiers"] is None:
                a.tiers = default_tiers(a.model)
            if key == "name" and given["name"] is None:
                a.name = MODELS.get(a.model, "")
            if key in PAY and given[key] is None:   # the default amount, in the currency
                setattr(a, key, PAY[key].format(currency=a.currency.upper()))
            if given[key] is not None:
                setattr(a, key, convert(key, given[key]))
                continue
            while ask:
                try:
                    text = typer.prompt(question, default=shown(key))
                except (typer.Abort, EOFError):
                    raise fail(f"error: no answer for {flag(key)} on standard input; pass "
                               f"it as a flag, or --no-input for the defaults") from None
                try:
                    value = convert(key, text)
                except typer.Exit:
                    continue   # the line saying why is already printed: ask again
                problem = check_answer(key, value, a)
                if problem is None:
                    setattr(a, key, value)
                    break
                sys.stderr.write(f"  {problem}\n")
        found = problems(a)
        if found:
            for line in found:
                sys.stderr.write(f"error: {line}\n")
            raise typer.Exit(2)

        from whorunsit.report import write_atomic
        from whorunsit.scenario import loads_scenario

        text = render(a)
        scenario = loads_scenario(text, str(file))   # never write a file that does not load
        write_atomic(file, text)
        typer.echo(f"wrote {file}: {scenario.name}, {len(scenario.teams)} teams, "
                   f"{len(scenario.applications)} applications. Next: whorunsit validate "
                   f"{file}; whorunsit simulate {file}")
