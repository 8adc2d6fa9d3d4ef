"""Stranger cases of tongxin.redmap.services (tests/stranger.py): charlie, secretary of branch
B1 in street B, acts on street A's red site, its lessons and routes, and branch A1's visits."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.redmap.conftest import site_input
from tests.stranger import case
from tests.stranger_setup import scope_of, staged
from tongxin.redmap import door, services
from tongxin.redmap.models import GroupVisit, RedSite

W = dict[str, Any]
S = "tongxin.redmap.services."


def _charlie(w: W) -> dict[str, Any]:
    return {"scope": scope_of(w["charlie"]), "actor": w["charlie"]}


def _site(w: W, **over: Any) -> RedSite:
    return services.site_create(scope=scope_of(None), actor=None, data=site_input(w, **over))


def _visit(w: W) -> GroupVisit:
    return services.visit_book(
        scope=scope_of(None),
        actor=None,
        site=_site(w),
        branch=w["branch_a1"],
        date=timezone.localdate(),
        start_time=dt.time(9, 0),
        end_time=dt.time(10, 0),
        people=5,
    )


@case(S + "site_create")
def _(w: W) -> None:
    services.site_create(**_charlie(w), data=site_input(w))


@case(S + "site_update")
def _(w: W) -> None:
    staged(
        lambda: _site(w),
        lambda s: services.site_update(**_charlie(w), site=s, data=site_input(w, name="改名")),
    )


@case(S + "site_file_add")
def _(w: W) -> None:
    png = SimpleUploadedFile("p.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)
    staged(lambda: _site(w), lambda s: services.site_file_add(**_charlie(w), site=s, f=png))


@case(S + "door_reset")
def _(w: W) -> None:
    staged(lambda: _site(w), lambda s: services.door_reset(**_charlie(w), site=s))


@case(S + "lesson_create")
def _(w: W) -> None:
    staged(
        lambda: _site(w, kind="school"),
        lambda s: services.lesson_create(**_charlie(w), site=s, title="第一课", body="学习党章。"),
    )


@case(S + "route_create")
def _(w: W) -> None:
    staged(
        lambda: [_site(w), _site(w, name="紫金红色村史馆")],
        lambda sites: services.route_create(
            **_charlie(w), org=w["comm_a_org"], name="初心之旅", sites=sites
        ),
    )


@case(S + "visit_book")
def _(w: W) -> None:
    staged(
        lambda: _site(w),
        lambda s: services.visit_book(
            **_charlie(w),
            site=s,
            branch=w["branch_a1"],
            date=timezone.localdate(),
            start_time=dt.time(9, 0),
            end_time=dt.time(10, 0),
            people=5,
        ),
    )


@case(S + "visit_cancel")
def _(w: W) -> None:
    staged(lambda: _visit(w), lambda v: services.visit_cancel(**_charlie(w), visit=v))


@case(S + "checkin_record")
def _(w: W) -> None:
    # charlie holds no member record: a 打卡 is a member's own
    staged(
        lambda: _site(w),
        lambda s: services.checkin_record(
            **_charlie(w), site=s, code=door.code_for(s, timezone.localdate())
        ),
    )
