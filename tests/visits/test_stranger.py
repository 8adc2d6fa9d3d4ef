"""The stranger table for tongxin.visits, run here until the central test runs every app's."""

from __future__ import annotations

import pytest

import tests.visits.stranger_cases  # noqa: F401  (registers the cases)
from tests.stranger_setup import run_case, services_of


@pytest.mark.django_db
@pytest.mark.parametrize("service", services_of("visits"))
def test_a_stranger_is_refused_and_nothing_is_written(service: str) -> None:
    run_case(service)
