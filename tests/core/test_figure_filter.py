"""Counts and scores as people read them (the ``figure`` filter): 锋领指数 totals came out as
"101152.0"."""

from __future__ import annotations

from decimal import Decimal

from django.template import Context, Template


def _render(value: object) -> str:
    return Template("{% load tx %}{{ v|figure }}").render(Context({"v": value}))


def test_whole_numbers_lose_the_decimal_and_gain_thousands():
    assert _render(Decimal("101152.0")) == "101,152"
    assert _render(101152.0) == "101,152"
    assert _render(60) == "60"


def test_a_fraction_keeps_one_decimal():
    assert _render(Decimal("1234.5")) == "1,234.5"
    assert _render(Decimal("-3.50")) == "-3.5"


def test_anything_else_is_left_alone():
    assert _render(None) == ""
    assert _render("—") == "—"


def test_a_figure_that_is_not_finite_shows_a_dash():
    assert _render(float("inf")) == "—"
    assert _render(float("nan")) == "—"
