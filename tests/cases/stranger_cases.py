"""Stranger cases of tongxin.cases.services (see tests/stranger.py): charlie (branch B1,
street B) on a case reported in 紫金花园, street A. The services live in the modules of the
``services`` package and are named by the module that defines them (the package re-exports
them, and the cases call them through it)."""

from __future__ import annotations

from typing import Any

from tests.stranger import case, not_acting
from tongxin.accounts.models import Resident
from tongxin.cases import services
from tongxin.cases.models import Agency, Case, Category

for _name, _why in {
    "common.deadline_for": "a computation of a deadline: it writes nothing",
    "common.validate_reply": "a check of a text: it writes nothing",
    "common.validate_description": "a check of a text: it writes nothing",
    "reporting.place_for_point": "a read of the nearest mapped place: it writes nothing",
    "sweep.sweep_statements": "the SQL of the overdue sweep: it writes nothing",
    "sweep.sweep_overdue": "the periodic task escalating overdue cases for the whole installation",
}.items():
    not_acting(f"tongxin.cases.services.{_name}", _why)


def _case_a(w: dict[str, Any]) -> Case:
    return services.case_report(
        actor=None,
        area=w["compound_a"],
        category=Category.objects.filter(active=True).order_by("pk").first(),
        description="紫金花园北门垃圾堆放多日无人清运",
    )


@case("tongxin.cases.services.reporting.case_report")
def _(w: dict[str, Any]) -> Any:
    services.case_report(
        actor=w["charlie"],
        area=w["compound_a"],
        category=Category.objects.filter(active=True).order_by("pk").first(),
        description="陌生人上报的紫金花园事件",
    )


@case("tongxin.cases.services.reporting.case_report_resident")
def _(w: dict[str, Any]) -> Any:
    resident = Resident.objects.create(user=w["bob"], name="居民", home=w["compound_a"])
    yield
    services.case_report_resident(
        actor=w["charlie"],
        resident=resident,
        category=Category.objects.filter(active=True).order_by("pk").first(),
        description="冒名上报的紫金花园事件",
        area=w["compound_a"],
    )


@case("tongxin.cases.services.reporting.case_add_photos")
def _(w: dict[str, Any]) -> Any:
    c = _case_a(w)
    yield
    services.case_add_photos(actor=w["charlie"], case=c, photos=[object()])


@case("tongxin.cases.services.workflow.case_transition")
def _(w: dict[str, Any]) -> Any:
    c = _case_a(w)
    yield
    services.case_transition(actor=w["charlie"], case=c, action="accept")


@case("tongxin.cases.services.workflow.case_merge")
def _(w: dict[str, Any]) -> Any:
    first, second = _case_a(w), _case_a(w)
    yield
    services.case_merge(actor=w["charlie"], case=second, into=first)


@case("tongxin.cases.services.workflow.case_rate")
def _(w: dict[str, Any]) -> Any:
    c = _case_a(w)
    Case.objects.filter(pk=c.pk).update(state="closed")
    c.refresh_from_db()
    yield
    services.case_rate(actor=w["charlie"], case=c, rating=1)


@case("tongxin.cases.services.workflow.case_note")
def _(w: dict[str, Any]) -> Any:
    c = _case_a(w)
    yield
    services.case_note(actor=w["charlie"], case=c, note="陌生人的备注")


@case("tongxin.cases.services.configuration.agency_member_add")
def _(w: dict[str, Any]) -> Any:
    agency = Agency.objects.order_by("pk").first() or Agency.objects.create(code="cg", name="城管")
    yield
    services.agency_member_add(actor=w["charlie"], user=w["charlie"], agency=agency)


@case("tongxin.cases.services.configuration.api_key_issue")
def _(w: dict[str, Any]) -> Any:
    services.api_key_issue(actor=w["charlie"], name="外辖区", area=w["street_a_area"])


@case("tongxin.cases.services.configuration.api_key_revoke")
def _(w: dict[str, Any]) -> Any:
    key, _raw = services.api_key_issue(actor=None, name="南门街道", area=w["street_a_area"])
    yield
    services.api_key_revoke(actor=w["charlie"], key=key)
