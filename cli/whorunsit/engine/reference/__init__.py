"""The Python loop the compiled one was written from, statement for statement: the
tests' reference (tests/test_kernel.py). No production path reaches it."""
