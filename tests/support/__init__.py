"""Helpers shared by the tests and the benchmarks: import them from here, never from a conftest.py
or from another test module (pytest's conftest files hold fixtures only)."""
