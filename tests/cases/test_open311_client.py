"""An Open311 client library from PyPI against a live server, unchanged.

``georeport`` (0.3.1, requests + xmltodict) lists services, reads a service definition and
fetches requests, in JSON and in XML. It has no method for POST requests (nor does any other
Open311 client on PyPI that installs on Python 3: ``open311`` 1.1 is Python 2 code), so the
POST is sent with ``requests``, the library's own HTTP client, as the spec describes it."""

from __future__ import annotations

import pytest
import requests
from georeport import GeoReport

from tongxin.cases import services
from tongxin.cases.models import Case


@pytest.fixture
def endpoint(transactional_db, live_server):
    from tests import factories
    from tests.cases.conftest import ensure_defaults

    ensure_defaults()
    from tongxin.geo.models import AreaLevel

    city = factories.area("宁波市", AreaLevel.CITY)
    street = factories.area("南门街道", AreaLevel.STREET, city)
    comm = factories.area("紫金社区", AreaLevel.COMMUNITY, street)
    compound = factories.area("紫金花园", AreaLevel.COMPOUND, comm)
    _key, raw = services.api_key_issue(actor=None, name="客户端测试", area=street)
    return {"url": live_server.url + "/open311/v2", "key": raw, "compound": compound}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_client_lists_posts_and_fetches(endpoint, fmt):
    client = GeoReport(endpoint["url"], api_key=endpoint["key"], output_format=fmt)
    services_ = client.get_service_list()
    assert "sanitation" in [s["service_code"] for s in services_]
    definition = client.get_service_definition("sanitation")
    assert definition["service_code"] == "sanitation"

    resp = requests.post(
        f"{endpoint['url']}/requests.{fmt}",
        data={
            "api_key": endpoint["key"],
            "service_code": "sanitation",
            "address_id": endpoint["compound"].pk,
            "description": "北门垃圾桶满了",
        },
        timeout=10,
    )
    assert resp.status_code == 201, resp.text
    code = Case.objects.get().tracking_code
    assert code in resp.text

    one = client.get_service_request(code)
    assert one["service_request_id"] == code and one["status"] == "open"
    many = client.get_service_requests(service_code="sanitation", status="open")
    if isinstance(many, dict):  # xmltodict: a single <request> is a dict, several a list
        many = [many]
    assert [r["service_request_id"] for r in many] == [code]
