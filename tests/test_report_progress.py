"""The progress bar: only on a terminal, only for runs over about a second, never --quiet."""

import io

from whorunsit.report.progress import progress_bar


class Terminal(io.StringIO):
    def isatty(self):
        return True


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_no_bar_when_not_a_terminal():
    with progress_bar(stream=io.StringIO()) as progress:
        assert progress is None


def test_no_bar_when_quiet():
    with progress_bar(enabled=False, stream=Terminal()) as progress:
        assert progress is None


def test_short_runs_show_nothing():
    out, clock = Terminal(), Clock()
    with progress_bar(stream=out, clock=clock) as progress:
        for done in range(1, 11):
            clock.now = done * 0.05
            progress(done, 10)
    assert out.getvalue() == ""


def test_long_runs_show_a_bar_on_the_given_stream():
    out, clock = Terminal(), Clock()
    with progress_bar(stream=out, clock=clock) as progress:
        for done in range(1, 6):
            clock.now = done * 0.5
            progress(done, 10)
        progress(20, 40)  # a precision target adds replications: the total grows
    assert "simulating" in out.getvalue()
    assert "replications" in out.getvalue()
