"""The audit tests use the cases' test world (a grid worker, a department handler, residents)."""

from tests.cases.conftest import cw  # noqa: F401
