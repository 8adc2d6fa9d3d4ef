"""checkin: one QR check-in request at city scale (issue 4: ≤ 100 ms server time). Ours: POST
/meetings/<pk>/checkin/ through django.test.Client (every middleware, the session, the Scope,
token verification, the replay record, the attendance row, the audit row and the refreshed roll
as htmx returns it). Baseline: a bare Django view that inserts one row, called in-process
through RequestFactory."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from bench.benchmarks import ensure_demo
from bench.util import Context, report, timed_pair
from tongxin.accounts.models import User
from tongxin.core.scope import Scope
from tongxin.meetings import card, selectors, services
from tongxin.meetings.models import Attendance, TokenUse
from tongxin.members.models import Member


def bare_view(request: HttpRequest) -> HttpResponse:
    TokenUse.objects.create(context="bench", nonce=request.POST["n"], member_id=request.POST["m"])
    return HttpResponse("ok")


def run(ctx: Context) -> None:
    ensure_demo(ctx)
    user = User.objects.get(username="zhibu")
    assert user.member is not None
    org = user.member.org
    meeting = services.meeting_plan(
        scope=Scope.everything(),
        actor=None,
        data=services.PlanInput(
            org=org,
            kind="lecture",
            title="签到基准",
            date=selectors.local_today(),
            start_time=dt.time(0, 0),
            end_time=dt.time(23, 59),
        ),
    )
    member_id = Member.objects.filter(org=org).values_list("id", flat=True).first()
    assert member_id is not None
    client = Client()
    client.force_login(user)
    url = f"/meetings/{meeting.pk}/checkin/"
    state: dict[str, str] = {}
    factory = RequestFactory()
    counter = iter(range(10**6))

    def before_ours() -> None:
        Attendance.objects.filter(meeting=meeting).delete()
        state["token"] = card.issue_token(member_id)

    def ours() -> bytes:
        r = client.post(url, {"code": state["token"]}, HTTP_HX_REQUEST="true")
        assert r.status_code == 200 and "签到成功".encode() in r.content, r.content[:300]
        return r.content

    def baseline() -> HttpResponse:
        request = factory.post("/bench/", {"n": f"b{next(counter)}", "m": member_id})
        return bare_view(request)

    runs = 30
    ours_s, base_s, _html, _r = timed_pair(
        ours, baseline, runs=runs, warmup=3, before_ours=before_ours
    )
    TokenUse.objects.filter(context="bench").delete()
    report(
        ctx,
        "checkin",
        n=Member.objects.count(),
        ours=ours_s * 1000,
        baseline=base_s * 1000,
        unit="ms",
        target=("ours", 100),
        runs=runs,
        note="ours: POST /meetings/<pk>/checkin/ (htmx) via django.test.Client as the branch "
        "secretary; baseline: a bare view inserting one row via RequestFactory; "
        "n = members in the city",
    )
