"""Open311 GeoReport v2 through the Django test client, in both formats, with every error
case the issue names. (test_open311_client.py drives the same endpoints with the PyPI client
library ``georeport`` against a live server.)"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from tongxin.cases import selectors, services
from tongxin.cases.models import Case, CaseEvent
from tongxin.core.models import AuditLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def key(cw):
    Area = type(cw["compound_a"])
    Area.objects.filter(pk=cw["compound_a"].pk).update(
        latitude=Decimal("29.87"), longitude=Decimal("121.55")
    )
    _key, raw = services.api_key_issue(actor=cw["alice"], name="市民App", area=cw["street_a_area"])
    return raw


def post(client, fmt="json", **data):
    return client.post(f"/open311/v2/requests.{fmt}", data)


def body(cw, key, **over):
    data = {
        "api_key": key,
        "service_code": "sanitation",
        "address_id": str(cw["compound_a"].pk),
        "description": "紫金花园北门垃圾桶满了没人清运",
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def errors_json(resp):
    data = json.loads(resp.content)
    assert isinstance(data, list) and set(data[0]) == {"code", "description"}
    return data[0]


def errors_xml(resp):
    root = ET.fromstring(resp.content)
    assert root.tag == "errors"
    err = root.find("error")
    return {"code": int(err.findtext("code")), "description": err.findtext("description")}


def test_discovery_both_formats(client):
    data = json.loads(client.get("/open311/v2/discovery.json").content)
    assert data["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert "application/json" in data["endpoints"][0]["formats"]
    root = ET.fromstring(client.get("/open311/v2/discovery.xml").content)
    assert root.tag == "discovery"
    assert root.find("endpoints/endpoint/formats/format").text == "text/xml"


def test_services_and_definition(client, cw):
    services_json = json.loads(client.get("/open311/v2/services.json").content)
    codes = {s["service_code"] for s in services_json}
    assert {"sanitation", "municipal", "noise"} <= codes
    row = next(s for s in services_json if s["service_code"] == "sanitation")
    assert set(row) >= {
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    }
    assert row["service_name"] == "环境卫生" and row["type"] == "realtime"
    resp = client.get("/open311/v2/services.xml")
    assert resp["Content-Type"].startswith("text/xml")
    root = ET.fromstring(resp.content)
    assert root.tag == "services" and root.find("service/service_code") is not None
    d = json.loads(client.get("/open311/v2/services/sanitation.json").content)
    assert d["service_code"] == "sanitation"
    assert d["attributes"][0]["code"] == "priority"
    assert d["attributes"][0]["values"][1]["key"] == "urgent"
    root = ET.fromstring(client.get("/open311/v2/services/sanitation.xml").content)
    assert root.find("attributes/attribute/values/value/key").text == "normal"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_service_definition_is_404(client, cw, fmt):
    resp = client.get(f"/open311/v2/services/nosuch.{fmt}")
    assert resp.status_code == 404
    err = errors_json(resp) if fmt == "json" else errors_xml(resp)
    assert err["code"] == 404 and "nosuch" in err["description"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_then_fetch_and_token(client, cw, key, fmt):
    resp = post(
        client,
        fmt,
        **body(
            cw,
            key,
            **{
                "attribute[priority]": "urgent",
                "phone": "13800001111",
                "first_name": "明",
                "last_name": "李",
            },
        ),
    )
    assert resp.status_code == 201, resp.content
    if fmt == "json":
        row = json.loads(resp.content)[0]
    else:
        el = ET.fromstring(resp.content).find("request")
        row = {c.tag: c.text for c in el}
    case = Case.objects.get(tracking_code=row["service_request_id"])
    assert (case.source, case.priority, case.area, case.reporter_name) == (
        "open311",
        "urgent",
        cw["compound_a"],
        "李明",
    )
    assert case.reporter_phone_masked.startswith("138") and "1111" in case.reporter_phone_masked
    assert "service_notice" in row and row["token"] == case.token
    got = json.loads(client.get(f"/open311/v2/requests/{case.tracking_code}.json").content)[0]
    assert got["service_request_id"] == case.tracking_code
    assert got["status"] == "open" and got["service_code"] == "sanitation"
    assert got["description"] == ""  # public reader: no description
    for field in (
        "status_notes",
        "service_name",
        "agency_responsible",
        "service_notice",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
        "address",
        "address_id",
        "zipcode",
        "lat",
        "long",
        "media_url",
    ):
        assert field in got
    assert got["lat"] == 29.87
    # with the key of the jurisdiction the description shows
    got = json.loads(
        client.get(f"/open311/v2/requests/{case.tracking_code}.json?api_key={key}").content
    )[0]
    assert got["description"].startswith("紫金花园北门")
    root = ET.fromstring(client.get(f"/open311/v2/requests/{case.tracking_code}.xml").content)
    assert root.tag == "service_requests" and root.find("request/status").text == "open"
    tok = json.loads(client.get(f"/open311/v2/tokens/{case.token}.json").content)[0]
    assert tok == {"service_request_id": case.tracking_code, "token": case.token}


def test_media_url_comes_back_to_the_jurisdictions_key_only(client, cw, key):
    url = "https://img.example.com/case/42.jpg"
    resp = post(client, **body(cw, key, media_url=url))
    assert resp.status_code == 201, resp.content
    code = json.loads(resp.content)[0]["service_request_id"]
    public = json.loads(client.get(f"/open311/v2/requests/{code}.json").content)[0]
    assert public["media_url"] == ""
    mine = json.loads(client.get(f"/open311/v2/requests/{code}.json?api_key={key}").content)[0]
    assert mine["media_url"] == url
    listed = json.loads(client.get(f"/open311/v2/requests.json?api_key={key}").content)
    assert [r["media_url"] for r in listed if r["service_request_id"] == code] == [url]
    root = ET.fromstring(client.get(f"/open311/v2/requests.xml?api_key={key}").content)
    assert root.find("request/media_url").text == url


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://x.example.com/a.jpg", "见附件"])
def test_media_url_must_be_a_web_address(client, cw, key, url):
    resp = post(client, **body(cw, key, media_url=url))
    assert resp.status_code == 400
    assert "http" in errors_json(resp)["description"]
    assert not Case.objects.exists()


def test_a_later_staff_note_is_not_taken_for_the_media_url(client, cw, key):
    from datetime import timedelta

    from tongxin.cases.models import CaseEvent

    resp = post(client, **body(cw, key))
    code = json.loads(resp.content)[0]["service_request_id"]
    case = Case.objects.get(tracking_code=code)
    CaseEvent.objects.create(
        case=case,
        kind="note",
        note="media_url: https://evil.example/x",
        public=False,
        at=case.reported_at + timedelta(minutes=5),
        from_state=case.state,
        to_state=case.state,
    )
    got = json.loads(client.get(f"/open311/v2/requests/{code}.json?api_key={key}").content)[0]
    assert got["media_url"] == ""


def test_overlong_media_url_is_400_and_writes_nothing(client, cw, key):
    resp = post(client, **body(cw, key, media_url="https://x.example.com/" + "a" * 480))
    assert resp.status_code == 400
    assert "media_url" in errors_json(resp)["description"]
    assert not Case.objects.exists()


def test_post_by_lat_long_picks_nearest_compound(client, cw, key):
    resp = post(client, **body(cw, key, address_id=None, lat="29.8701", long="121.5502"))
    assert resp.status_code == 201, resp.content
    case = Case.objects.get()
    assert case.area == cw["compound_a"] and case.latitude == Decimal("29.870100")


def test_post_by_address_string(client, cw, key):
    resp = post(client, **body(cw, key, address_id=None, address_string="南门街道紫金花园3号楼"))
    assert resp.status_code == 201
    assert Case.objects.get().area == cw["compound_a"]


def _nothing_written(before):
    assert before == (Case.objects.count(), CaseEvent.objects.count())


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    ("over", "status", "contains"),
    [
        ({"service_code": "nosuch"}, 404, "nosuch"),
        ({"address_id": None}, 400, "位置"),
        ({"description": "长" * 4001}, 400, "4000"),
        ({"description": "路灯坏了<b>快修</b>"}, 400, "HTML"),
        ({"api_key": None}, 403, "api_key"),
        ({"api_key": "o311_wrong"}, 403, "api_key"),
        ({"address_id": "999999"}, 400, "address_id"),
        ({"lat": "abc", "long": "121", "address_id": None}, 400, "lat"),
        ({"service_code": None}, 400, "service_code"),
    ],
)
def test_post_errors(client, cw, key, fmt, over, status, contains):
    before = (Case.objects.count(), CaseEvent.objects.count())
    resp = post(client, fmt, **body(cw, key, **over))
    assert resp.status_code == status
    err = errors_json(resp) if fmt == "json" else errors_xml(resp)
    assert err["code"] == status and contains in err["description"]
    _nothing_written(before)


def test_post_outside_jurisdiction_is_refused(client, cw, key):
    resp = post(client, **body(cw, key, address_id=str(cw["compound_b"].pk)))
    assert resp.status_code == 400
    assert not Case.objects.exists()


def test_revoked_key_is_403(client, cw, key):
    k = selectors.api_keys().get()
    services.api_key_revoke(actor=cw["alice"], key=k)
    assert post(client, **body(cw, key)).status_code == 403


def test_rate_limit(client, cw, key):
    k = selectors.api_keys().get()
    type(k).objects.filter(pk=k.pk).update(per_minute=2)
    from django.core.cache import cache

    cache.clear()
    assert post(client, **body(cw, key)).status_code == 201
    assert post(client, **body(cw, key)).status_code == 201
    resp = post(client, **body(cw, key))
    assert resp.status_code == 429 and "每分钟最多2次" in errors_json(resp)["description"]


def _seed(cw):
    import datetime as dt

    from django.utils import timezone

    now = timezone.now()
    a = services.case_report(
        actor=None,
        area=cw["compound_a"],
        category=cw["sanitation"],
        description="垃圾",
        now=now - dt.timedelta(days=1),
    )
    b = services.case_report(
        actor=None,
        area=cw["compound_a"],
        category=cw["municipal"],
        description="路灯",
        now=now - dt.timedelta(days=2),
    )
    old = services.case_report(
        actor=None,
        area=cw["compound_a"],
        category=cw["municipal"],
        description="旧的",
        now=now - dt.timedelta(days=100),
    )
    Case.objects.filter(pk=b.pk).update(state="closed")
    return a, b, old


def test_get_requests_filters(client, cw):
    a, b, old = _seed(cw)

    def ids(q: str) -> list[str]:
        return [
            r["service_request_id"]
            for r in json.loads(client.get("/open311/v2/requests.json" + q).content)
        ]

    assert ids("") == [a.tracking_code, b.tracking_code]  # the last 90 days, newest first
    assert ids("?status=open") == [a.tracking_code]
    assert ids("?status=closed") == [b.tracking_code]
    assert ids("?service_code=municipal") == [b.tracking_code]
    assert ids(f"?service_request_id={old.tracking_code},{a.tracking_code}") == [
        a.tracking_code,
        old.tracking_code,
    ] or set(ids(f"?service_request_id={old.tracking_code},{a.tracking_code}")) == {
        a.tracking_code,
        old.tracking_code,
    }
    start = (old.reported_at).strftime("%Y-%m-%dT00:00:00Z")
    assert ids(f"?start_date={start}") == [old.tracking_code]
    assert ids("?page_size=1") == [a.tracking_code]
    assert ids("?page_size=1&page=2") == [b.tracking_code]
    root = ET.fromstring(client.get("/open311/v2/requests.xml?status=open").content)
    assert [r.findtext("service_request_id") for r in root.findall("request")] == [a.tracking_code]


@pytest.mark.parametrize(
    ("query", "contains"),
    [
        ("?status=pending", "status"),
        ("?start_date=yesterday", "start_date"),
        ("?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z", "90"),
        ("?page_size=5000", "page_size"),
        ("?page=0", "page"),
    ],
)
def test_get_requests_bad_parameters(client, cw, query, contains):
    resp = client.get("/open311/v2/requests.json" + query)
    assert resp.status_code == 400
    assert contains in errors_json(resp)["description"]


def test_unknown_request_and_token_are_404(client, cw):
    assert client.get("/open311/v2/requests/SJNOSUCH.json").status_code == 404
    assert errors_xml(client.get("/open311/v2/tokens/nosuch.xml"))["code"] == 404
    assert client.get("/open311/v2/services.yaml").status_code == 404


def test_management_command_issue_and_revoke(cw, capsys):
    from django.core.management import call_command

    call_command(
        "open311_key", "issue", "--name", "测试应用", "--area", str(cw["street_a_area"].pk)
    )
    out = capsys.readouterr().out
    raw = out.split("：", 1)[1].split()[0]
    assert raw.startswith("o311_")
    k = selectors.api_keys().get()
    assert k.key_hash != raw and k.area == cw["street_a_area"]
    assert k.prefix[0].isalnum(), "a prefix never starts with '-' (argparse would take an option)"
    call_command("open311_key", "revoke", f"--prefix={k.prefix}")
    k.refresh_from_db()
    assert k.revoked_at is not None
    assert AuditLog.objects.filter(action="open311.key_revoke").exists()


# ---------------------------------------------------------------- issue 12: strict parsing


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    "query",
    [
        "?start_date=2026-13-45T00:00:00Z",
        "?end_date=2026-13-45T00:00:00Z",
        "?start_date=9999-12-31T23:59:59%2B14:00",
        "?end_date=9999-12-31T23:59:59+14:00",  # an unencoded "+" arrives as a space
        "?start_date=0001-01-01T00:00:00-14:00",
        "?start_date=%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%96-01-01T00:00:00Z",  # full-width digits
    ],
)
def test_impossible_dates_are_400_with_a_message(client, cw, fmt, query):
    resp = client.get(f"/open311/v2/requests.{fmt}" + query)
    assert resp.status_code == 400
    err = errors_json(resp) if fmt == "json" else errors_xml(resp)
    assert err["code"] == 400 and "_date" in err["description"]
    assert "请" in err["description"] or "应在" in err["description"]


@pytest.mark.parametrize("value", ["%C2%B2", "%EF%BC%91", "99999999999999999999", "1" * 5000])
@pytest.mark.parametrize("name", ["page", "page_size"])
def test_page_numbers_are_parsed_strictly(client, cw, name, value):
    resp = client.get(f"/open311/v2/requests.json?{name}={value}")
    assert resp.status_code == 400
    assert name in errors_json(resp)["description"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("address_id", ["²", "１２", "99999999999999999999", "-1", "1e3", "0"])
def test_bad_address_id_is_400_and_writes_nothing(client, cw, key, fmt, address_id):
    before = (Case.objects.count(), CaseEvent.objects.count())
    resp = post(client, fmt, **body(cw, key, address_id=address_id))
    assert resp.status_code == 400
    err = errors_json(resp) if fmt == "json" else errors_xml(resp)
    assert "address_id" in err["description"]
    _nothing_written(before)


@pytest.mark.parametrize("request_id", ["99999999999999999999", "SJ" + "A" * 2000, "²"])
def test_overlong_or_odd_request_ids_are_404(client, cw, request_id):
    resp = client.get(f"/open311/v2/requests/{request_id}.json")
    assert resp.status_code == 404
    assert errors_json(resp)["code"] == 404


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    ("lat", "long"),
    [
        ("0", "0"),  # the Gulf of Guinea
        ("29.92", "121.55"),  # 5.6 km north of 紫金花园
        ("-29.87", "-121.55"),  # the other side of the planet
    ],
)
def test_points_outside_the_jurisdiction_are_refused(client, cw, key, fmt, lat, long):
    before = (Case.objects.count(), CaseEvent.objects.count())
    resp = post(client, fmt, **body(cw, key, address_id=None, lat=lat, long=long))
    assert resp.status_code == 400
    err = errors_json(resp) if fmt == "json" else errors_xml(resp)
    assert "公里" in err["description"] and "辖区" in err["description"]
    _nothing_written(before)


def test_a_jurisdiction_without_mapped_places_refuses_points(client, cw, key):
    type(cw["compound_a"]).objects.filter(pk=cw["compound_a"].pk).update(
        latitude=None, longitude=None
    )
    resp = post(client, **body(cw, key, address_id=None, lat="29.87", long="121.55"))
    assert resp.status_code == 400 and "address_id" in errors_json(resp)["description"]
    assert not Case.objects.exists()


def test_a_point_within_2_km_is_filed_at_the_nearest_place(client, cw, key):
    # 29.885 is about 1.7 km north of 紫金花园 (29.87): inside the resident page's 2 km too.
    resp = post(client, **body(cw, key, address_id=None, lat="29.885", long="121.55"))
    assert resp.status_code == 201, resp.content
    assert Case.objects.get().area == cw["compound_a"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    "over",
    [
        {"description": "井盖\x00坏了"},
        {"address_string": "紫金\x00花园", "address_id": None},
        {"service_code": "sanitation\x00"},
        {"first_name": "\x1b[31m"},
    ],
)
def test_control_characters_in_a_post_are_400(client, cw, key, fmt, over):
    before = (Case.objects.count(), CaseEvent.objects.count())
    resp = post(client, fmt, **body(cw, key, **over))
    assert resp.status_code == 400
    err = errors_json(resp) if fmt == "json" else errors_xml(resp)
    assert "控制字符" in err["description"]
    _nothing_written(before)


@pytest.mark.parametrize(
    "path",
    [
        "/open311/v2/requests.json?service_request_id=SJ%00",
        "/open311/v2/requests.json?service_code=%00",
        "/open311/v2/requests/SJ%00.json",
        "/open311/v2/tokens/%00.json",
    ],
)
def test_control_characters_in_a_query_are_400(client, cw, path):
    resp = client.get(path)
    assert resp.status_code == 400 and "控制字符" in errors_json(resp)["description"]


def test_a_multiline_description_is_still_taken(client, cw, key):
    resp = post(client, **body(cw, key, description="北门垃圾桶满了。\r\n\t三天没人清运。"))
    assert resp.status_code == 201, resp.content
