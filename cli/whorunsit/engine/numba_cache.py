"""numba's disk cache for the compiled engine, made so it never breaks the tool.

Every module that compiles code imports this one first. It

- points ``numba.config.CACHE_DIR`` at a folder named by a hash of all the engine's
  sources (``cache_location``): any edit or upgrade compiles afresh, never a stale mix,
  and older versions' folders (about 70 MB each) are removed when a new one is made;
- checks that folder can be written; when it cannot (a file where the folder should
  be, a read-only disk), says so once on stderr with what to do, and keeps the compiled
  code in the next usable place (at worst a temporary folder for this run alone);
- treats a damaged entry (truncated by a full disk, a killed process or a partial CI
  cache restore) as missing: the entry is deleted, one warning line says which, and
  that function is compiled and stored again. numba itself would raise ``EOFError``
  on every later run.

``compiling(part)`` wraps the first use of compiled code: when this version has not
been compiled here yet it tells the user, on stderr, that it is compiling, that it
happens once, and how long it took.
"""

from __future__ import annotations

import atexit
import shutil
import sys
import tempfile
import threading
import time
from contextlib import contextmanager, suppress
from pathlib import Path

import numba
from numba.core import caching

from whorunsit.engine.cache_location import (
    ENGINE,
    ENV,
    Choice,
    candidates,
    remove_versions,
    unusable,
)

__all__ = ["ENGINE", "configure", "compiling", "directory", "warned"]

#: what has been said on stderr in this process (each at most once)
warned: set[str] = set()
#: set when no folder could be used and this run compiles into a temporary one
temporary: list[Path] = []


def _warn(key: str, message: str) -> None:
    if key not in warned:
        warned.add(key)
        sys.stderr.write(f"whorunsit: {message}\n")


def directory() -> Path:
    """The cache directory numba uses in this process."""
    return Path(numba.config.CACHE_DIR)


def _clear_older(choice: Choice) -> None:
    if choice.directory != choice.base and not choice.directory.exists():
        remove_versions(choice.base)


def configure() -> Path:
    """Point numba at the first usable cache folder; say once why when the preferred
    one is unusable."""
    options = candidates()
    preferred = options[0]
    for choice in options:
        if choice.base.is_dir():
            _clear_older(choice)
        why = unusable(choice.directory)
        if why is None:
            if choice is not preferred:
                _warn("location", f"cannot keep compiled code in {preferred.directory} "
                      f"({unusable(preferred.directory)}); using {choice.directory} "
                      f"instead. Set {ENV} to a writable folder to choose where.")
            numba.config.CACHE_DIR = str(choice.directory)
            return choice.directory
    scratch = Path(tempfile.mkdtemp(prefix="whorunsit-numba-"))
    atexit.register(shutil.rmtree, scratch, True)
    temporary.append(scratch)
    _warn("location", f"cannot keep compiled code in {preferred.directory} "
          f"({unusable(preferred.directory)}), set by {preferred.setting}: every run "
          f"compiles the engine afresh (about a minute). Set {ENV} to a writable folder "
          "(or make that one writable) to compile once.")
    numba.config.CACHE_DIR = str(scratch)
    return scratch


def _name(cache) -> str:
    func = cache._py_func
    return f"{func.__module__.rsplit('.', 1)[-1]}.{func.__qualname__}"


def _discard(cache, exc: BaseException) -> None:
    """Delete a function's damaged index and data files, so it is compiled and stored
    afresh, and say so once."""
    index = Path(cache._cache_file._index_path)
    for path in (index, *index.parent.glob(index.name[:-len(".nbi")] + ".*.nbc")):
        with suppress(OSError):
            path.unlink(missing_ok=True)
    _warn(f"damaged:{index}", f"the compile cache entry for {_name(cache)} was damaged "
          f"({type(exc).__name__}: {exc or 'truncated'}); discarded it and compiling it again "
          f"(once) into {index.parent}")


_load_overload = caching.Cache.load_overload
_save_overload = caching.Cache.save_overload


def _guarded_load(self, sig, target_context):
    try:
        return _load_overload(self, sig, target_context)
    except Exception as exc:  # noqa: BLE001 any damage reads as a miss, never a failure
        _discard(self, exc)
        return None


def _guarded_save(self, sig, data):
    try:
        return _save_overload(self, sig, data)
    except OSError as exc:  # a full disk, a folder made read-only: costs time, not the run
        _warn("save", f"could not store compiled code in {self._cache_path} "
              f"({exc.strerror or exc}); the next run compiles again. Set {ENV} to a "
              "writable folder.")
    except Exception as exc:  # noqa: BLE001 a damaged index, read before saving
        _discard(self, exc)
        return _save_overload(self, sig, data)


caching.Cache.load_overload = _guarded_load
caching.Cache.save_overload = _guarded_save


class _Progress:
    """Elapsed time and the function being compiled, on a terminal every second."""

    def __init__(self, part: str):
        self.part, self.current, self.done = part, "", 0
        self.start = time.perf_counter()
        self.stop = threading.Event()
        self.tty = sys.stderr.isatty()

    def on_start(self, event) -> None:
        dispatcher = (event.data or {}).get("dispatcher")
        if dispatcher is not None:
            self.current = getattr(dispatcher, "__qualname__", "") or str(dispatcher)

    def on_end(self, event) -> None:
        self.done += 1

    def tick(self) -> None:
        while not self.stop.wait(1.0):
            sys.stderr.write(f"\r  {time.perf_counter() - self.start:4.0f} s, "
                             f"{self.done} functions compiled, now {self.current[:40]:<40}")
            sys.stderr.flush()


@contextmanager
def compiling(part: str):
    """Around the first use of ``part``'s compiled code in a process: when this version
    has not been compiled into the cache folder yet, say so, show progress on a
    terminal, and say how long it took; then mark it compiled."""
    marker = directory() / f"compiled-{part.replace(' ', '-')}"
    if marker.exists():
        yield
        return
    from numba.core import event

    if temporary:  # no usable cache: said above, and "once" would not be true
        sys.stderr.write(f"whorunsit: compiling the {part} for this run (no usable compile "
                         "cache, see above)\n")
    else:
        sys.stderr.write(f"whorunsit: compiling the {part} for this installation; this "
                         f"happens once (later runs load it from {directory()})\n")
    progress = _Progress(part)

    class _Listener(event.Listener):
        def on_start(self, ev):
            progress.on_start(ev)

        def on_end(self, ev):
            progress.on_end(ev)

    ticker = threading.Thread(target=progress.tick, daemon=True) if progress.tty else None
    with event.install_listener("numba:compile", _Listener()):
        if ticker:
            ticker.start()
        try:
            yield
        finally:
            progress.stop.set()
            if ticker:
                ticker.join()
                sys.stderr.write("\r" + " " * 78 + "\r")
    seconds = time.perf_counter() - progress.start
    later = "" if temporary else "; later runs load it in about a second"
    sys.stderr.write(f"whorunsit: compiled the {part} in {seconds:.0f} s "
                     f"({progress.done} functions){later}\n")
    with suppress(OSError):  # an unwritable folder has been reported already
        marker.write_text(f"{seconds:.1f}\n")


configure()
