"""The Python loop the compiled one was written from, statement for statement: the tests'
reference (tests/test_kernel.py compares every metric, bit for bit). Nothing in the
package imports it."""
