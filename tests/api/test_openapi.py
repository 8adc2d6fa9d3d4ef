"""The OpenAPI document is true (issue 12, item 8): one schema per name, every refusal
declared with its {code, message, fields} body, times declared in the format returned."""

from __future__ import annotations

import re

from ninja import Schema

import tongxin.api  # noqa: F401  (registers every router and its schemas)


def _subclasses(cls: type) -> list[type]:
    out = []
    for sub in cls.__subclasses__():
        out.append(sub)
        out.extend(_subclasses(sub))
    return out


def test_no_two_api_schemas_share_a_name():
    """Before, CaseOut, ActivityOut, ActivityIn and HoursOut each named two schemas: the
    document described /api/v1/cases/ and the volunteering activities with another's fields."""
    seen: dict[str, str] = {}
    clashes = []
    for cls in _subclasses(Schema):
        if not cls.__module__.startswith("tongxin."):
            continue
        where = f"{cls.__module__}.{cls.__qualname__}"
        if cls.__name__ in seen and seen[cls.__name__] != where:
            clashes.append((cls.__name__, seen[cls.__name__], where))
        seen.setdefault(cls.__name__, where)
    assert clashes == []


def test_every_operation_declares_its_errors_with_the_error_body(world, client_for):
    doc = client_for(world["alice"]).get("/api/v1/openapi.json").json()
    error = doc["components"]["schemas"]["ErrorOut"]
    assert set(error["required"]) == {"code", "message", "fields"}
    ref = {"$ref": "#/components/schemas/ErrorOut"}
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            codes = {"400", "404", "422"} | ({"409"} if method != "get" else set())
            if op.get("security"):
                codes |= {"401", "403"}
            for code in codes:
                body = op["responses"][code]["content"]["application/json"]["schema"]
                assert body == ref, (method, path, code)
            assert "text/html" in op["responses"]["414"]["content"], (method, path)


def test_times_are_declared_as_returned(world, client_for):
    """Meeting times come back as "19:00:00" (Beijing time, no offset); "format: time" would
    promise an RFC 3339 time with an offset."""
    doc = client_for(world["alice"]).get("/api/v1/openapi.json").json()
    assert '"format": "time"' not in str(doc).replace("'", '"')
    out = doc["components"]["schemas"]["MeetingOut"]["properties"]["start_time"]
    assert re.fullmatch(out["pattern"], "19:00:00")
    assert not re.fullmatch(out["pattern"], "19:00:00+08:00")
    given = doc["components"]["schemas"]["PlanIn"]["properties"]["start_time"]
    assert re.fullmatch(given["pattern"], "19:00:00+08:00")


def test_an_api_address_that_matches_no_operation_answers_json(world, client_for):
    """Before, /api/v1/visits/x answered the HTML 404 page, which the document does not
    declare."""
    r = client_for(world["alice"]).get("/api/v1/visits/null,null")
    assert r.status_code == 404 and r["Content-Type"] == "application/json; charset=utf-8"
    assert r.json()["code"] == "not_found" and r.json()["fields"] == {}
    r = client_for(world["alice"]).get("/no-such-page/")
    assert r.status_code == 404 and "页面不存在" in r.content.decode()
