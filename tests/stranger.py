"""The stranger table: every public write service, called by a stranger, is refused and writes
nothing.

Each app's tests hold a ``stranger_cases.py`` that registers one case per public function of its
``services`` module::

    from tests.stranger import case

    @case("tongxin.transfers.services.start_transfer")
    def _(world):
        charlie = world["charlie"]  # secretary of branch B1 in street B: a stranger to street A
        services.start_transfer(scope=scope_for_user(charlie), actor=charlie, member=world[...], ...)

A case that needs objects of its own (a token, a grid, an import job) builds them first and then
``yield``s: the row counts are taken at the ``yield`` and the code after it is the stranger's call::

    @case("tongxin.accounts.services.api_token_revoke")
    def _(world):
        token, _key = services.api_token_create(actor=world["alice"], user=world["alice"], name="x")
        yield
        services.api_token_revoke(actor=world["charlie"], token=token)

``tests/test_stranger_services.py`` finds every public function defined in a ``tongxin.<app>.services``
module (or a module of a ``services`` package), and fails when one has no case here and no entry in
``NOT_ACTING`` (functions no user calls: tasks, system jobs, pure helpers), so that a new service
without a stranger case fails the suite. Each case must raise ``ServiceError`` (``ForbiddenError`` or
a not-found refusal) and leave every table's row count unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Case = Callable[[dict[str, Any]], Any]

CASES: dict[str, Case] = {}

# "module.function" -> why no user acts through it (a stranger case would mean nothing).
NOT_ACTING: dict[str, str] = {}


def case(qualified_name: str) -> Callable[[Case], Case]:
    """Register the stranger case of one service function, named "tongxin.app.services.fn"."""

    def register(fn: Case) -> Case:
        if qualified_name in CASES:
            raise ValueError(f"two stranger cases for {qualified_name}")
        CASES[qualified_name] = fn
        return fn

    return register


def not_acting(qualified_name: str, reason: str) -> None:
    """Record a public service function that no user acts through, with the reason."""
    NOT_ACTING[qualified_name] = reason
