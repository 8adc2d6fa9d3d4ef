"""The one parser of ids typed into URLs, queries and forms (cases, Open311, the audit filters)."""

from __future__ import annotations

import pytest

from tongxin.core.inputs import INT_MAX, parse_pk


@pytest.mark.parametrize("value", ["12", " 12 ", 12])
def test_an_id_is_read(value):
    assert parse_pk(value) == 12


@pytest.mark.parametrize(
    "value",
    ["", None, "²", "１２", "-1", "0", "1e3", "12a", "12345678901234567890", str(INT_MAX + 1)],
)
def test_what_is_not_an_id_is_none_never_an_error(value):
    assert parse_pk(value) is None


def test_the_largest_stored_id_is_still_an_id():
    assert parse_pk(str(INT_MAX)) == INT_MAX
