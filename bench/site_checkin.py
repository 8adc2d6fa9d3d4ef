"""site_checkin: one 打卡 at a red site (issue 16: ≤ 50 ms through the full stack, against a
bare insert view). Ours: POST /redmap/sites/<pk>/check-in/ with the day's door code and a
position inside the radius, through django.test.Client as a member (every middleware, the
session, the Scope, the code's HMAC, the geofence, the once-a-day check, the visit lookup, the
row and its audit row, the redirect). Baseline: a bare Django view inserting one check-in row,
called in-process through RequestFactory."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.utils import timezone

from bench.benchmarks import ensure_demo
from bench.redmap_page import top_up
from bench.util import Context, report, timed_pair
from tongxin.accounts.models import User
from tongxin.redmap import door
from tongxin.redmap.models import CheckIn, RedSite


def bare_view(request: HttpRequest) -> HttpResponse:
    CheckIn.objects.create(
        site_id=request.POST["s"],
        member_id=request.POST["m"],
        member_org_path=request.POST["p"],
        on=timezone.localdate(),
        at=timezone.now(),
    )
    return HttpResponse("ok")


def run(ctx: Context) -> None:
    ensure_demo(ctx)
    top_up()
    user = User.objects.get(username="dangyuan")
    assert user.member is not None
    member = user.member
    site, other = RedSite.objects.filter(is_active=True).order_by("id")[:2]
    today = timezone.localdate()
    client = Client()
    client.force_login(user)
    url = f"/redmap/sites/{site.pk}/check-in/"
    payload = {
        "code": door.full_code(site, today),
        "latitude": site.latitude + 0.0005,
        "longitude": site.longitude,
        "accuracy": 20,
    }
    factory = RequestFactory()

    def clear() -> None:
        CheckIn.objects.filter(member=member, on=today, site__in=[site, other]).delete()

    def ours() -> int:
        r = client.post(url, payload)
        assert r.status_code == 302, r.content[:300]
        return r.status_code

    def baseline() -> HttpResponse:
        request = factory.post("/bench/", {"s": other.pk, "m": member.pk, "p": member.org_path})
        return bare_view(request)

    runs = 30
    ours_s, base_s, _r, _b = timed_pair(
        ours, baseline, runs=runs, warmup=3, before_ours=clear, before_baseline=clear
    )
    clear()
    report(
        ctx,
        "site_checkin",
        n=RedSite.objects.count(),
        ours=ours_s * 1000,
        baseline=base_s * 1000,
        unit="ms",
        target=("ours", 50),
        runs=runs,
        note="ours: POST /redmap/sites/<pk>/check-in/ (door code + position) via "
        "django.test.Client as a member; baseline: a bare view inserting one check-in via "
        "RequestFactory; n = sites",
    )
