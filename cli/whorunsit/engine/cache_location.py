"""Where the compiled engine is kept on disk, how big it is, and clearing it.

Deliberately free of numba (``whorunsit cache`` must answer in a blink): ``numba_cache``
applies the location to numba. The location, first that applies:

1. ``WHORUNSIT_CACHE_DIR`` (a CI cache step restores and saves this directory);
2. ``NUMBA_CACHE_DIR``, numba's own setting, used as it is (no versioned folder);
3. ``__pycache__`` next to the engine, when that is writable (a checkout, an editable
   install);
4. the user's cache directory (``$XDG_CACHE_HOME`` or ``~/.cache``) / ``whorunsit``.

Under 1, 3 and 4 the compiled code sits in ``numba-<hash>``, a folder named by a hash
of numba's version and every engine source (numba's own cache only notices an edit to
the file that defines a function, but the compiled loop links in helpers from a dozen).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

ENGINE = Path(__file__).resolve().parent
ENV = "WHORUNSIT_CACHE_DIR"


#: the cache's own plumbing and the runner: no compiled code comes from these files
NOT_COMPILED = {"cache_location.py", "numba_cache.py", "runner.py", "dispatch.py", "chunks.py",
                "executors.py"}


def _sources_hash() -> str:
    digest = hashlib.sha256(metadata.version("numba").encode())
    for path in sorted(ENGINE.rglob("*.py")):
        if path.name in NOT_COMPILED:
            continue
        digest.update(str(path.relative_to(ENGINE)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def user_base() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "whorunsit"


@dataclass(frozen=True)
class Choice:
    """A candidate location: ``base`` holds the versioned folder ``directory``;
    ``setting`` names what chose it (for messages)."""

    base: Path
    directory: Path
    setting: str


def candidates() -> list[Choice]:
    """Where the cache may go, in order of preference."""
    own = os.environ.get(ENV)
    if own:
        base = Path(own).expanduser()
        return [Choice(base, base / f"numba-{_sources_hash()}", ENV)]
    numba_own = os.environ.get("NUMBA_CACHE_DIR")
    if numba_own:
        base = Path(numba_own).expanduser()
        return [Choice(base, base, "NUMBA_CACHE_DIR")]
    name = f"numba-{_sources_hash()}"
    out = []
    if os.access(ENGINE, os.W_OK):
        out.append(Choice(ENGINE / "__pycache__", ENGINE / "__pycache__" / name,
                          "the default (next to the engine)"))
    out.append(Choice(user_base(), user_base() / name, "the default (the user's cache)"))
    return out


def directory() -> Path:
    """The preferred cache directory for this version of the engine's sources."""
    return candidates()[0].directory


def unusable(path: Path) -> str | None:
    """Why compiled code cannot be kept in ``path`` (None: it can), checked by making
    it and writing a file there, as numba will."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=path).close()
    except OSError as exc:
        return f"{exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else "")
    return None


def problem(path: Path) -> str | None:
    """``unusable`` without making anything: why ``path`` could not be made or written."""
    probe = path
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if not probe.is_dir():
        return f"{probe} is not a folder"
    if not os.access(probe, os.W_OK | os.X_OK):
        return f"{probe} is not writable"
    return None


def size(path: Path) -> tuple[int, int]:
    """(bytes, files) under ``path``."""
    total = files = 0
    if path.is_dir():
        for item in path.rglob("*"):
            if item.is_file():
                files += 1
                total += item.stat().st_size
    return total, files


def clear(choice: Choice) -> int:
    """Remove the compiled code under ``choice`` (every version); the bytes freed. Only
    what numba and whorunsit wrote is removed: Python's own bytecode next to the
    engine stays, and a user's ``NUMBA_CACHE_DIR`` is emptied of numba files only."""
    return remove_versions(choice.base, ("**/*.nbi", "**/*.nbc", "**/*.tmp.*"))


def remove_versions(base: Path, loose=("*.nbi", "*.nbc")) -> int:
    """Delete every ``numba-*`` folder in ``base`` and numba's loose files matching
    ``loose`` (from before the versioned folders); the bytes freed."""
    freed = 0
    if not base.is_dir():
        return 0
    for old in base.glob("numba-*"):
        if old.is_dir():
            freed += size(old)[0]
            shutil.rmtree(old, ignore_errors=True)
    for pattern in loose:
        for stale in base.glob(pattern):
            if stale.is_file():
                freed += stale.stat().st_size
                stale.unlink(missing_ok=True)
    return freed
