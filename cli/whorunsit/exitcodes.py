"""Every exit code the CLI can return, in one place."""

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    #: an error-level gate assertion failed (or stayed inconclusive)
    GATE_FAILED = 1
    #: invalid input or usage: bad scenario, bad policy, bad flag
    INVALID_INPUT = 2
