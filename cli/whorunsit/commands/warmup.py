"""``whorunsit warmup``: pay the one-off compile of the simulation engine now."""

from __future__ import annotations

import sys

from whorunsit.commands.common import guarded


def command() -> None:
    """Compile the simulation engine now, so no later run waits for it.

    The first simulation after installing (or upgrading) compiles the engine's machine
    code and keeps it in the compile cache (see `whorunsit cache`); later runs load it
    in about a second. Run it once after installing, in a Docker image build, or as a
    CI step after restoring the cache (docs/ci.md). On a filled cache it only loads it.

    Examples:

      whorunsit warmup

      WHORUNSIT_CACHE_DIR=.whorunsit-cache whorunsit warmup
    """
    with guarded():
        from whorunsit import api

        took = api.warmup()
        info = api.cache_info()
        parts = ", ".join(f"{part} {seconds:.1f} s" for part, seconds in took.items())
        sys.stderr.write(f"ready: {parts}; compile cache {info['directory']} "
                         f"({info['bytes'] / 1e6:.1f} MB)\n")
