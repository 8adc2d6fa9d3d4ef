"""The stranger cases of tongxin.dual_reports.services (see tests/stranger.py): charlie
(secretary of branch B1 in street B) acting on street A's members, communities and reports.

make_world() holds no 双报到, so the cases that need a report make one (by the ORM, no audit)
and remove it again after the refused call: the table's row counts are those of the world."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.utils import timezone

from tests.stranger import case
from tongxin.core.scope import scope_for_user
from tongxin.dual_reports import services
from tongxin.dual_reports.models import DualReport, DualReportStatus

World = dict[str, Any]


@contextmanager
def street_a_report(world: World, status: str = DualReportStatus.REPORTED) -> Iterator[DualReport]:
    """张红 (branch A1) reported to 紫金社区 (street A), for the length of the block."""
    today = timezone.localdate()
    r = DualReport.objects.create(
        member=world["m_a1"],
        community=world["comm_a"],
        reported_on=today,
        status=status,
        service_post="楼道长" if status == DualReportStatus.ACCEPTED else "",
        accepted_on=today if status == DualReportStatus.ACCEPTED else None,
    )
    try:
        yield r
    finally:
        unchanged = DualReport.objects.filter(pk=r.pk, status=status, hours__isnull=True).exists()
        r.delete()
        assert unchanged, "the refused call changed the report or logged hours"


def _charlie(world: World) -> dict[str, Any]:
    charlie = world["charlie"]
    return {"actor": charlie, "scope": scope_for_user(charlie)}


@case("tongxin.dual_reports.services.dual_report_create")
def _create(world: World) -> None:
    services.dual_report_create(**_charlie(world), member=world["m_a1"], community=world["comm_a"])


@case("tongxin.dual_reports.services.dual_report_file_own")
def _file_own(world: World) -> None:
    # Only ever the account's own member: charlie's account is nobody's, so he files for no one.
    services.dual_report_file_own(actor=world["charlie"], community=world["comm_a"])


@case("tongxin.dual_reports.services.dual_report_accept")
def _accept(world: World) -> None:
    with street_a_report(world) as r:
        services.dual_report_accept(**_charlie(world), report=r, service_post="楼道长")


@case("tongxin.dual_reports.services.dual_report_decline")
def _decline(world: World) -> None:
    with street_a_report(world) as r:
        services.dual_report_decline(**_charlie(world), report=r, note="不在本社区")


@case("tongxin.dual_reports.services.dual_report_end")
def _end(world: World) -> None:
    with street_a_report(world, DualReportStatus.ACCEPTED) as r:
        services.dual_report_end(**_charlie(world), report=r, note="搬家")


@case("tongxin.dual_reports.services.dual_report_hours_log")
def _hours_log(world: World) -> None:
    with street_a_report(world, DualReportStatus.ACCEPTED) as r:
        services.dual_report_hours_log(
            **_charlie(world), dual_report=r, served_on=timezone.localdate(), minutes=60
        )
