"""The terminal report: one block per assertion, verdict first, then why."""

from __future__ import annotations

import io

from rich.console import Console
from rich.padding import Padding
from rich.text import Text

from whorunsit.gate.formats import display_path, where
from whorunsit.gate.runner import GateRun

#: reasons sit under the assertion, past the verdict column
INDENT = 14
STYLES = {"PASS": "bold green", "FAIL": "bold red", "INCONCLUSIVE": "bold magenta", "WARN": "bold yellow"}


def heading(run: GateRun) -> str:
    text = f"whorunsit gate: {run.candidate.name} ({display_path(run.candidate.source)})"
    if run.baseline is not None:
        text += f" against baseline {run.baseline.name} ({display_path(run.baseline.source)})"
    rounds = " -> ".join(str(n) for n in run.rounds)
    return text + f"; replications {rounds} (cap {run.max_replications}), seed {run.seed}"


def write_table(run: GateRun, console: Console) -> None:
    console.print(Text(heading(run), style="bold"))
    # the answer first; the same line closes the report, where a CI log ends
    console.print(Text(run.summary(), style="bold green" if run.passed else "bold red"))
    console.print()
    for outcome in run.outcomes:
        verdict = run.verdict(outcome)
        line = Text()
        line.append(f"{verdict:<{INDENT}}", style=STYLES[verdict])
        line.append(outcome.assertion.expression, style="bold")
        line.append(f"  [{outcome.assertion.level}] {where(outcome.assertion.location)}", style="dim")
        console.print(line)
        console.print(Padding(Text(run.why(outcome)), (0, 0, 0, INDENT)))
        console.print()
    console.print(Text(run.summary(), style="bold green" if run.passed else "bold red"))


def render_table(run: GateRun, *, color: bool = False, width: int = 100) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system="standard" if color else None,
                      force_terminal=color, no_color=not color, highlight=False, soft_wrap=False)
    write_table(run, console)
    text = buffer.getvalue()
    # rich pads wrapped lines to the width; a file or a CI log is better without
    return text if color else "\n".join(line.rstrip() for line in text.split("\n"))
