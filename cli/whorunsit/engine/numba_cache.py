"""Where numba keeps the compiled engine on disk: one directory per version of its code.

numba's own cache notices an edit only to the file that defines a function, but the
compiled loop inlines helpers and captures constants from a dozen engine modules: after
an upgrade or an edit to one of them, it would load machine code built from the old
sources, silently. So every module that compiles code imports this one first, and
``numba.config.CACHE_DIR`` is set to a directory named by a hash of all the engine's
sources: any change compiles afresh (about a minute, once), never a stale mix.

A ``NUMBA_CACHE_DIR`` set by the user is left alone. The directory sits next to the
engine when that is writable (an editable install, a checkout), else in the user's
cache directory. When a new version's directory is made, the older ones (about 25 MB
each) are removed, with numba's files from before this scheme.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import numba

ENGINE = Path(__file__).resolve().parent


def _sources_hash() -> str:
    digest = hashlib.sha256(numba.__version__.encode())
    for path in sorted(ENGINE.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def directory() -> Path:
    """The cache directory for this version of the engine's sources."""
    name = f"numba-{_sources_hash()}"
    if os.access(ENGINE, os.W_OK):
        return ENGINE / "__pycache__" / name
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "whorunsit" / name


def configure() -> None:
    """Point numba at this version's directory, clearing older versions' away first."""
    if os.environ.get("NUMBA_CACHE_DIR") or numba.config.CACHE_DIR:
        return
    here = directory()
    if not here.exists():
        for old in here.parent.glob("numba-*"):
            shutil.rmtree(old, ignore_errors=True)
        for stale in (*here.parent.glob("*.nbi"), *here.parent.glob("*.nbc")):
            stale.unlink(missing_ok=True)
    numba.config.CACHE_DIR = str(here)


configure()
