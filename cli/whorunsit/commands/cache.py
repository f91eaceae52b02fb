"""``whorunsit cache``: where the compiled engine is kept, its size, and clearing it."""

from __future__ import annotations

import json
import sys

import typer

from whorunsit.commands.common import choice, guarded


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


def command(
    clear: bool = typer.Option(False, "--clear", help="Delete the compiled engine (every "
                               "version); the next run compiles it again."),
    output_format: str = typer.Option("text", "--format", "-f", metavar="text|json",
                                      help="text (for people) or json (for scripts)."),
) -> None:
    """Show where the compiled engine is cached and how big it is, or clear it.

    The first simulation compiles the engine (about a minute) and keeps the machine code
    in a folder per version of whorunsit's engine and numba, so later runs load it in
    about a second. WHORUNSIT_CACHE_DIR moves it (for example to a folder a CI cache
    step restores and saves). A damaged entry is detected, discarded and rebuilt on the
    next run; --clear is only needed to free the space.

    Examples:

      whorunsit cache

      whorunsit cache --clear

      WHORUNSIT_CACHE_DIR=.whorunsit-cache whorunsit cache --format json
    """
    with guarded():
        choice("--format", output_format, ("text", "json"))
        from whorunsit import api

        if clear:
            freed = api.clear_cache()
            sys.stderr.write(f"cleared the compile cache: {_mb(freed)} freed\n")
        info = api.cache_info()
        if output_format == "json":
            sys.stdout.write(json.dumps(info, indent=2) + "\n")
            return
        lines = [
            f"compile cache: {info['directory']}",
            f"chosen by:     {info['chosen_by']} (WHORUNSIT_CACHE_DIR moves it)",
            f"size:          {_mb(info['bytes'])} in {info['files']} files"
            + (f" ({_mb(info['bytes_all_versions'])} with other versions)"
               if info["bytes_all_versions"] > info["bytes"] else ""),
            "compiled:      " + (", ".join(info["compiled"]) or
                                 "nothing yet (the next large run compiles; or `whorunsit warmup`)"),
        ]
        if info["problem"]:
            lines.append(f"problem:       {info['problem']}: compiled code cannot be kept "
                         "here; set WHORUNSIT_CACHE_DIR to a writable folder")
        sys.stdout.write("\n".join(lines) + "\n")
