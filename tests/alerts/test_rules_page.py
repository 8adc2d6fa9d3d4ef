"""The page of warning rules: the city's (or a district's) organization department lists the
rules and saves a new version; yellow above red, an unknown metric or a number that is not a
number is refused with a Chinese field error and changes nothing; anyone else gets a 404."""

from __future__ import annotations

import pytest

from tests import factories
from tests.helpers import is_chinese
from tongxin.alerts import services
from tongxin.alerts.models import AlertRule
from tongxin.core.errors import ServiceError
from tongxin.core.scope import scope_for_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def dept(world):
    services.rules_ensure_defaults()
    world["dept"] = factories.user("zuzhibu", "org_dept", org=world["city"])
    return world


def _rows():
    return list(AlertRule.objects.order_by("pk").values_list("pk", "version", "active", "red_at"))


def _post(c, rule="lost-contact", **over):
    data = {
        "check_key": "members.lost_contact",
        "title": "党员失联",
        "yellow_at": "2",
        "red_at": "6",
        "escalate_after_days": "10",
        "org_kinds": ["branch"],
    }
    data.update(over)
    url = f"/alerts/rules/{rule}/" if rule else "/alerts/rules/new/"
    return c.post(url, data)


def test_the_department_lists_the_rules_and_saves_a_new_version(dept, client_for):
    c = client_for(dept["dept"])
    page = c.get("/alerts/rules/").content.decode()
    assert "党员失联" in page and "议事事项逾期" in page and "互助金可用资金不足" in page
    assert "党员失联" in c.get("/alerts/rules/lost-contact/").content.decode()
    r = _post(c)
    assert r.status_code == 302
    rule = AlertRule.objects.get(key="lost-contact", active=True)
    assert (rule.version, rule.yellow_at, rule.red_at, rule.org_kinds) == (2, 2, 6, ["branch"])
    assert rule.escalate_after_days == 10 and rule.created_by == dept["dept"]
    assert AlertRule.objects.filter(key="lost-contact").count() == 2
    assert "预警规则" in c.get("/alerts/").content.decode()


def test_the_department_adds_a_rule(dept, client_for):
    c = client_for(dept["dept"])
    r = _post(c, rule="", key="lost-contact-strict", title="党员失联（严格）")
    assert r.status_code == 302
    assert AlertRule.objects.get(key="lost-contact-strict").version == 1


def test_a_district_department_may_edit_too(dept):
    district = factories.area("江北区", "district", dept["city"].area)
    org = factories.org("中共江北区委", "committee", dept["city"], area=district)
    u = factories.user("jiangbei", "org_dept", org=org)
    rule = services.rule_save(
        actor=u,
        scope=scope_for_user(u),
        data=services.RuleInput(
            key="lost-contact",
            check_key="members.lost_contact",
            title="党员失联",
            yellow_at=1,
            red_at=3,
            org_kinds=[],
        ),
    )
    assert rule.version == 2


@pytest.mark.parametrize("who", ["alice", "bob", "charlie"])
def test_anyone_else_gets_a_404_and_changes_nothing(dept, client_for, who):
    c = client_for(dept[who])
    before = _rows()
    assert c.get("/alerts/rules/").status_code == 404
    assert c.get("/alerts/rules/lost-contact/").status_code == 404
    assert c.get("/alerts/rules/new/").status_code == 404
    assert _post(c).status_code == 404
    assert _post(c, rule="", key="x-new").status_code == 404
    assert _rows() == before
    assert "预警规则" not in c.get("/alerts/").content.decode()
    with pytest.raises(ServiceError):
        services.rule_save(
            actor=dept[who],
            scope=scope_for_user(dept[who]),
            data=services.RuleInput(
                key="lost-contact",
                check_key="members.lost_contact",
                title="x",
                yellow_at=1,
                red_at=2,
                org_kinds=[],
            ),
        )
    assert _rows() == before


def test_an_unknown_rule_is_a_404(dept, client_for):
    assert client_for(dept["dept"]).get("/alerts/rules/no-such-rule/").status_code == 404


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"yellow_at": "9", "red_at": "3"}, "yellow_at"),
        ({"check_key": "members.no_such_metric"}, "check_key"),
        ({"red_at": "三"}, "red_at"),
        ({"yellow_at": ""}, "yellow_at"),
        ({"yellow_at": "-1"}, "yellow_at"),
        ({"escalate_after_days": "400"}, "escalate_after_days"),
        ({"org_kinds": ["village"]}, "org_kinds"),
        ({"title": ""}, "title"),
    ],
    ids=[
        "yellow-above-red",
        "unknown-metric",
        "not-a-number",
        "empty",
        "negative",
        "too-many-days",
        "unknown-kind",
        "no-title",
    ],
)
def test_bad_input_is_refused_with_a_chinese_field_error(dept, client_for, over, field):
    c = client_for(dept["dept"])
    before = _rows()
    r = _post(c, **over)
    assert r.status_code == 200
    errors = r.context["errors"]
    assert field in errors and is_chinese(errors[field]), errors
    assert f'data-testid="error-{field}"' in r.content.decode()
    assert _rows() == before


@pytest.mark.parametrize(
    ("key", "field"),
    [("Bad Key!", "key"), ("lost-contact", "key"), ("", "key")],
    ids=["not-a-slug", "taken", "missing"],
)
def test_a_new_rule_needs_a_free_well_formed_key(dept, client_for, key, field):
    c = client_for(dept["dept"])
    before = _rows()
    r = c.post(
        "/alerts/rules/new/",
        {
            "key": key,
            "check_key": "members.lost_contact",
            "title": "新规则",
            "yellow_at": "1",
            "red_at": "2",
            "escalate_after_days": "7",
        },
    )
    assert r.status_code == 200
    assert field in r.context["errors"] and is_chinese(r.context["errors"][field])
    assert _rows() == before


RULE = {
    "key": "lost-contact",
    "check_key": "members.lost_contact",
    "title": "党员失联",
    "yellow_at": 2,
    "red_at": 5,
    "org_kinds": [],
    "escalate_after_days": 7,
}


def test_the_api_lists_and_saves_rules(dept, client_for):
    c = client_for(dept["dept"])
    keys = [r["key"] for r in c.get("/api/v1/alerts/warning-rules").json()]
    assert "lost-contact" in keys and "powers-stuck" in keys
    r = c.post("/api/v1/alerts/warning-rules", RULE, content_type="application/json")
    assert r.status_code == 200 and r.json()["version"] == 2


@pytest.mark.parametrize(
    ("over", "field"),
    [({"yellow_at": 9, "red_at": 3}, "yellow_at"), ({"check_key": "x.y"}, "check_key")],
    ids=["yellow-above-red", "unknown-metric"],
)
def test_the_api_refuses_a_bad_rule(dept, client_for, over, field):
    c = client_for(dept["dept"])
    before = _rows()
    r = c.post("/api/v1/alerts/warning-rules", {**RULE, **over}, content_type="application/json")
    assert r.status_code == 400
    assert field in str(r.json()) and is_chinese(str(r.json()))
    assert _rows() == before


def test_the_api_is_a_404_for_anyone_else(dept, client_for):
    c = client_for(dept["alice"])
    before = _rows()
    assert c.get("/api/v1/alerts/warning-rules").status_code == 404
    r = c.post("/api/v1/alerts/warning-rules", RULE, content_type="application/json")
    assert r.status_code == 404
    assert _rows() == before
