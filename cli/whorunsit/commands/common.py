"""What every command shares: the --debug state, mapping errors to exit codes, and the
--executor/--scheduler flags."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

import typer

from whorunsit.errors import InputError, WhorunsitError
from whorunsit.exitcodes import ExitCode

if TYPE_CHECKING:
    from whorunsit.engine.executors import Executor

T = TypeVar("T")


@dataclass
class _State:
    debug: bool = False


state = _State()


def fail(message: str, code: ExitCode = ExitCode.INVALID_INPUT) -> typer.Exit:
    sys.stderr.write(message.rstrip("\n") + "\n")
    return typer.Exit(int(code))


def whole(flag: str, text: str | None, minimum: int) -> int | None:
    """A whole-number flag (``1_000`` allowed); a bad one exits 2 after one line."""
    if text is None:
        return None
    try:
        n = int(text.replace("_", ""))
    except ValueError:
        raise fail(f"error: {flag} must be a whole number, got {text!r}") from None
    if n < minimum:
        raise fail(f"error: {flag} must be at least {minimum}, got {n}")
    return n


def choice(flag: str, name: str, allowed: tuple[str, ...]) -> str:
    if name not in allowed:
        raise fail(f"error: {flag} must be one of {', '.join(allowed)}; got {name!r}")
    return name


def section_names(flag: str, text: str, allowed) -> list[str]:
    """A comma-separated list of names from ``allowed`` (--section flow,cost); an
    unknown or empty one exits 2 after one line naming every choice."""
    given = [p.strip().lower() for p in text.split(",") if p.strip()]
    unknown = [n for n in given if n not in allowed]
    if unknown or not given:
        raise fail(f"error: {flag}: unknown section {', '.join(map(repr, unknown)) or '(none)'};"
                   f" expected one or more of {', '.join(allowed)}")
    return given


def html_ready(fmt: str, output: object | None, *, reports: tuple[str, ...] = ()) -> None:
    """Before any work: --format html needs --output and the html extra (one line each)."""
    if fmt == "html" and output is None:
        raise fail("error: --format html writes one file: add --output PATH (e.g. report.html)")
    if fmt == "html" or "html" in reports:
        from whorunsit.report.html import require_extra

        require_extra()


@contextmanager
def guarded():
    """Turn the tool's own errors into one line per problem and exit code 2.

    Anything else is a bug: a short message (and the traceback only with --debug).
    """
    try:
        yield
    except typer.Exit:
        raise
    except InputError as exc:
        if state.debug:
            raise
        for problem in exc.problems:
            sys.stderr.write(f"{problem}\n")
        raise typer.Exit(int(ExitCode.INVALID_INPUT)) from None
    except WhorunsitError as exc:
        if state.debug:
            raise
        raise fail(f"error: {exc}") from None
    except OSError as exc:
        if state.debug:
            raise
        raise fail(f"error: {exc.filename or ''}: {exc.strerror or exc}") from None
    except Exception as exc:  # a bug: say so in one line, never a traceback by default
        if state.debug:
            raise
        raise fail(f"internal error: {type(exc).__name__}: {exc} (rerun with --debug)") from None


def run(fn: Callable[[], T]) -> T:
    with guarded():
        return fn()


# options the decision commands share, word for word
SEED_OPTION = typer.Option(None, "--seed", metavar="S", help="Random seed (default: FILE's).")
WORKERS_OPTION = typer.Option(None, "--workers", "-w", metavar="W",
                              help="Worker processes (default: up to 2).")
OUTPUT_OPTION = typer.Option(None, "--output", "-o", metavar="PATH",
                             help="Write the report to PATH (atomically) instead of stdout.")
QUIET_OPTION = typer.Option(False, "--quiet", "-q", help="No progress bar or status lines.")


#: ``executor: str | None = EXECUTOR`` and ``scheduler: str | None = SCHEDULER`` in a
#: command's signature, then ``with executor_for(executor, scheduler, ...) as ex:``
EXECUTOR = typer.Option(
    None, "--executor", metavar="local|dask",
    help="Where replications run: local (worker processes here, the default) or dask "
         "(a Dask cluster; a LocalCluster sized to this machine when no scheduler is "
         "given). Results do not depend on it.")
SCHEDULER = typer.Option(
    None, "--scheduler", metavar="ADDRESS",
    help="Dask scheduler (tcp://HOST:8786, or a scheduler file) for --executor dask "
         "(default: DASK_SCHEDULER_ADDRESS or Dask's scheduler-address setting).")


@contextmanager
def executor_for(kind: str | None, scheduler: str | None, *, workers: int | None,
                 quiet: bool) -> Iterator[Executor | None]:
    """The executor the flags ask for (None: the local pool), closed when the block ends.
    --scheduler alone means dask; one status line on stderr says where the work runs."""
    from whorunsit.distribute import EXECUTORS, open_executor

    kind = choice("--executor", kind, EXECUTORS) if kind is not None else (
        "dask" if scheduler is not None else "local")
    status = None if quiet else (lambda line: sys.stderr.write(line + "\n"))
    with open_executor(kind, scheduler, workers=workers, status=status) as executor:
        yield executor
