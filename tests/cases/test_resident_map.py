"""A resident reports with a point on the map: the point is kept on the case, a point alone
files the case under the nearest compound of the resident's community, and a point that is
no point (out of range, far away, half given) is refused in Chinese with nothing written.
Staff see the point, and the media_url an Open311 client sent, on the case page."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.test import Client

from tests import factories
from tests.cases.conftest import NOW, report
from tests.helpers import is_chinese, texts
from tongxin.cases import services
from tongxin.cases.models import Case, CaseEvent, CasePhoto
from tongxin.core.errors import ServiceError
from tongxin.core.models import AuditLog
from tongxin.geo.models import Area, AreaLevel

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def mw(cw):
    """紫金花园 and 紫金花园二期 (紫金社区) and 孝闻小区 (another street) with coordinates about
    1 km and 6 km apart."""
    w = cw
    factories.area("紫金花园二期", AreaLevel.COMPOUND, w["comm_a"])
    for name, lat, lng in [
        ("紫金花园", "29.870000", "121.550000"),
        ("紫金花园二期", "29.878000", "121.552000"),
        ("孝闻小区", "29.880000", "121.610000"),
    ]:
        Area.objects.filter(name=name).update(latitude=D(lat), longitude=D(lng))
    for key, name in (("compound_a", "紫金花园"), ("compound_b", "孝闻小区")):
        w[key] = Area.objects.get(name=name)
    w["compound_a2"] = Area.objects.get(name="紫金花园二期")
    return w


def _counts() -> tuple[int, int, int, int]:
    return (
        Case.objects.count(),
        CaseEvent.objects.count(),
        CasePhoto.objects.count(),
        AuditLog.objects.filter(action__startswith="case.").count(),
    )


def _post(c: Client, w, **fields):
    data = {"category": w["sanitation"].pk, "description": "北门垃圾桶满了没人清运"}
    data.update(fields)
    return c.post("/cases/report/", data)


def test_a_point_alone_goes_to_the_nearest_compound(mw, client_for):
    c = client_for(mw["rita"])
    page = c.get("/cases/report/")
    body = texts(page)
    assert 'data-tx-map="pick"' in body and "tongxin/cases-map.js" in body
    points = json.loads(
        body.split('id="tx-map-points" type="application/json">')[1].split("</script>")[0]
    )
    assert {p["name"] for p in points} == {"紫金花园", "紫金花园二期"}  # not street B's
    r = _post(c, mw, area="", latitude="29.877100", longitude="121.551500")
    case = Case.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/cases/mine/{case.pk}/"
    assert case.area == mw["compound_a2"] and case.area_path == mw["compound_a2"].path
    assert (case.latitude, case.longitude) == (D("29.877100"), D("121.551500"))
    assert (case.source, case.resident) == ("resident", mw["rita_res"])


def test_a_point_and_a_compound_keep_the_compound(mw, client_for):
    r = _post(
        client_for(mw["rita"]),
        mw,
        area=mw["compound_a"].pk,
        latitude="29.877100",
        longitude="121.5515",
    )
    case = Case.objects.get()
    assert r.status_code == 302
    assert case.area == mw["compound_a"] and case.longitude == D("121.551500")


def test_without_a_point_the_form_works_as_before(mw, client_for):
    r = _post(client_for(mw["rita"]), mw, area=mw["compound_a"].pk)
    case = Case.objects.get()
    assert r.status_code == 302 and case.latitude is None and case.area == mw["compound_a"]


@pytest.mark.parametrize(
    ("fields", "field", "contains"),
    [
        ({"area": ""}, "area", "请选择问题所在的小区或楼栋，或在地图上点选位置"),
        ({"area": "", "latitude": "29.87"}, "latitude", "纬度和经度须同时填写"),
        ({"area": "", "latitude": "北纬29度", "longitude": "121.55"}, "latitude", "纬度应为数字"),
        ({"area": "", "latitude": "NaN", "longitude": "121.55"}, "latitude", "纬度应为数字"),
        ({"area": "", "latitude": "95", "longitude": "121.55"}, "latitude", "纬度应在-90到90之间"),
        (
            {"area": "", "latitude": "29.87", "longitude": "200"},
            "latitude",
            "经度应在-180到180之间",
        ),
        # Beijing: a point on the other side of the country.
        (
            {"area": "", "latitude": "39.9042", "longitude": "116.4074"},
            "latitude",
            "离您所在社区太远",
        ),
        # Next to 孝闻小区 in street B (about 5.6 km away): not the resident's community.
        ({"area": "", "latitude": "29.880100", "longitude": "121.610100"}, "latitude", "约5.6公里"),
        # A compound of another community is not on offer.
        ({"area": "compound_b"}, "area", "选择一个有效的选项"),
    ],
)
def test_bad_points_are_refused_and_nothing_is_written(mw, client_for, fields, field, contains):
    if fields.get("area") == "compound_b":
        fields = {**fields, "area": mw["compound_b"].pk}
    c = client_for(mw["rita"])
    before = _counts()
    r = _post(c, mw, **fields)
    assert r.status_code == 200
    form = r.context["form"]
    assert field in form.errors, form.errors
    message = " ".join(form.errors[field])
    assert contains in message and is_chinese(message), message
    assert message in texts(r)
    assert _counts() == before


def test_the_service_refuses_what_the_form_would(mw):
    before = _counts()
    for kwargs, contains in [
        ({"latitude": D("29.87"), "longitude": None}, "同时填写"),
        ({"latitude": D("-91"), "longitude": D("121.55")}, "-90到90"),
        ({"latitude": D("Infinity"), "longitude": D("121.55")}, "-90到90"),
        ({"latitude": D("29.95"), "longitude": D("121.55")}, "太远"),
        ({"area": mw["compound_b"]}, "您所在社区的小区"),
    ]:
        with pytest.raises(ServiceError) as exc:
            services.case_report_resident(
                actor=mw["rita"],
                resident=mw["rita_res"],
                category=mw["sanitation"],
                description="垃圾没清运",
                **kwargs,
            )
        assert contains in next(iter(exc.value.fields.values())), kwargs
    assert _counts() == before


def test_a_community_without_coordinates_shows_no_map_and_refuses_points(cw, client_for):
    c = client_for(cw["rita"])
    body = texts(c.get("/cases/report/"))
    assert 'data-tx-map="pick"' not in body and "cases-map.js" not in body
    before = _counts()
    r = _post(c, cw, area="", latitude="29.87", longitude="121.55")
    assert "还没有登记地图位置" in texts(r) and _counts() == before


def test_staff_see_the_point_on_the_case_page(mw, client_for):
    _post(client_for(mw["rita"]), mw, area="", latitude="29.877100", longitude="121.551500")
    case = Case.objects.get()
    body = texts(client_for(mw["alice"]).get(f"/cases/{case.pk}/"))
    assert "纬度 29.877100，经度 121.551500" in body
    assert 'data-tx-map="show"' in body and 'data-lat="29.877100"' in body
    assert 'data-area-lat="29.878000"' in body  # the compound's marker beside it
    # A case without a point has no map.
    other = report(mw)
    body = texts(client_for(mw["alice"]).get(f"/cases/{other.pk}/"))
    assert 'data-tx-map="show"' not in body and "地图位置" not in body


# ---------------------------------------------------------------- media_url (Open311)


@pytest.mark.parametrize(
    ("url", "link"),
    [
        ("https://img.example.cn/p/1.jpg", True),
        ("http://img.example.cn/p/2.jpg?a=1&b=2", True),
        ("javascript:alert(1)", False),
        ("ftp://files.example.cn/1.jpg", False),
        # An http(s) address whatever its path: a link, its text escaped.
        ('https://x.cn/"><script>alert(1)</script>', True),
        ("//evil.example.cn/1.jpg", False),  # no scheme
        ("https://img.example.cn/a b.jpg", False),  # not one address
        ("图片见附件", False),
    ],
)
def test_media_url_is_shown_to_staff_as_a_link_only_when_http(cw, client_for, url, link):
    case = report(cw, actor=None, source="open311", media_url=url, now=NOW)
    body = texts(client_for(cw["alice"]).get(f"/cases/{case.pk}/"))
    assert 'data-testid="media-url"' in body
    from django.utils.html import escape

    if link:
        assert (
            f'<a href="{escape(url)}" rel="noopener noreferrer nofollow" target="_blank">' in body
        )
    else:
        assert f'href="{escape(url)}"' not in body and escape(url) in body
        assert "未生成链接" in body
    assert "<script>alert(1)" not in body
    # Not public: neither the tracking page nor Open311's list shows it.
    public = texts(Client().get(f"/cases/track/?code={case.tracking_code}"))
    assert "media" not in public and escape(url) not in public


def test_a_staff_note_that_looks_like_a_media_url_is_not_one(cw, client_for):
    case = report(cw)
    services.case_note(actor=cw["alice"], case=case, note="media_url: https://evil.example/x")
    body = texts(client_for(cw["alice"]).get(f"/cases/{case.pk}/"))
    assert 'data-testid="media-url"' not in body


def test_strangers_see_neither_point_nor_media(mw, client_for):
    case = report(
        mw,
        actor=None,
        source="open311",
        media_url="https://img.example.cn/1.jpg",
        latitude=D("29.87"),
        longitude=D("121.55"),
    )
    for stranger in ("charlie", "erin", "sam"):
        r = client_for(mw[stranger]).get(f"/cases/{case.pk}/")
        assert r.status_code == 404 and "img.example.cn" not in texts(r)
