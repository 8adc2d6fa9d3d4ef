"""The pages: staff desktop, the member's phone, the public 公示 and 捐助证 check; a stranger
gets 404 on every page and nothing changes; someone else's application is a 404."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from tests import factories
from tests.aid.helpers import counts
from tests.aid.world import S, aid_world, apply, end_publicity, fill, to_publicity
from tests.helpers import today
from tests.rosters import sheets
from tongxin.aid.models import AidApplication, Donation, Objection, Status
from tongxin.aid.services import applications as svc
from tongxin.aid.services import funds

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    w = aid_world()
    fill(w)
    return w


def login(client, user):
    client.force_login(user)
    return client


def test_the_fund_page_records_income_and_a_donation_with_its_certificate(client, w):
    login(client, w["alice"])
    url = reverse("aid:fund", args=[w["fund"].pk])
    r = client.get(url)
    assert r.status_code == 200 and "10,000.00" in r.content.decode()
    r = client.post(url, {"in-source": "upper", "in-amount": "500", "in-on": today().isoformat()})
    assert r.status_code == 302
    r = client.post(
        url,
        {
            "don-id_number": w["m_a2"].reveal_id_number(),
            "don-amount": "88.5",
            "don-donated_on": today().isoformat(),
        },
    )
    d = Donation.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("aid:certificate", args=[d.pk])
    page = client.get(r["Location"]).content.decode()
    assert d.certificate_no in page and "data:image/svg+xml" in page
    client.logout()
    public = client.get(reverse("aid:verify", args=[d.verify_code])).content.decode()
    assert "王*" in public and "王芳" not in public and "88.50" in public


def test_a_negative_donation_on_the_page_is_a_chinese_error_and_nothing_is_written(client, w):
    login(client, w["alice"])
    before = counts()
    r = client.post(
        reverse("aid:fund", args=[w["fund"].pk]),
        {
            "don-id_number": w["m_a2"].reveal_id_number(),
            "don-amount": "-5",
            "don-donated_on": today().isoformat(),
        },
    )
    assert r.status_code == 200 and "应大于0元" in r.content.decode()
    assert counts() == before


def test_the_member_applies_on_the_phone_and_sees_the_state(client, w):
    login(client, w["hong"])
    r = client.get(reverse("aid:mine"))
    assert r.status_code == 200
    r = client.post(
        reverse("aid:apply", args=[w["fund"].pk]),
        {"kind": w["illness"].pk, "amount": "3000", "reason": "住院手术，家中困难，申请补助。"},
    )
    a = AidApplication.objects.get()
    assert r.status_code == 302
    assert "待支部审核" in client.get(reverse("aid:mine_detail", args=[a.pk])).content.decode()


def test_an_amount_over_the_range_on_the_phone_is_refused(client, w):
    login(client, w["hong"])
    r = client.post(
        reverse("aid:apply", args=[w["fund"].pk]),
        {"kind": w["illness"].pk, "amount": "30000", "reason": "住院手术，家中困难，申请补助。"},
    )
    assert r.status_code == 200 and "之间" in r.content.decode()
    assert not AidApplication.objects.exists()


def test_someone_elses_application_is_a_404(client, w):
    a = apply(w)
    login(client, w["bob"])  # bob has no member record of his own
    assert client.get(reverse("aid:mine_detail", args=[a.pk])).status_code == 404
    other = factories.user("fang", "member", org=w["branch_a2"], member=w["m_a2"])
    login(client, other)
    assert client.get(reverse("aid:mine_detail", args=[a.pk])).status_code == 404


def test_staff_steps_through_the_application_page(client, w):
    a = apply(w)
    login(client, w["bob"])
    url = reverse("aid:application", args=[a.pk])
    client.post(url, {"step": "review", "approve": "1", "note": ""})
    for u in (w["wei"], w["xu"]):
        login(client, u)
        client.post(url, {"step": "decide", "approve": "1", "note": ""})
    assert AidApplication.objects.get().status == Status.PUBLICITY
    login(client, w["qian"])
    r = client.post(url, {"step": "pay"})
    assert "公示期满后" in r.content.decode()
    end_publicity(a)
    client.post(url, {"step": "pay"})
    assert AidApplication.objects.get().status == Status.PAID


def test_the_public_publicity_page_masks_names_and_takes_objections(client, w):
    a = to_publicity(w)
    url = reverse("aid:publicity", args=[w["fund"].pk])
    page = client.get(url).content.decode()
    assert "张*" in page and "张红" not in page and "3,000.00" in page
    r = client.post(url, {"application": a.pk, "text": "该党员家庭条件较好，请核实。"})
    assert r.status_code == 302 and Objection.objects.count() == 1
    o = Objection.objects.get()
    login(client, w["alice"])
    client.post(reverse("aid:answer", args=[o.pk]), {"answer": "经核实情况属实。"})
    assert Objection.objects.get().answered_at is not None


def test_an_application_not_in_publicity_is_not_public(client, w):
    a = apply(w)
    r = client.post(
        reverse("aid:publicity", args=[w["fund"].pk]),
        {"application": a.pk, "text": "该党员家庭条件较好，请核实。"},
    )
    assert r.status_code == 404 and not Objection.objects.exists()


def test_the_year_report_page_and_xlsx(client, w):
    a = end_publicity(to_publicity(w))
    svc.application_pay(actor=w["qian"], scope=S(w["qian"]), application=a)
    login(client, w["alice"])
    page = client.get(reverse("aid:report", args=[w["fund"].pk])).content.decode()
    assert "7,000.00" in page and "重大病补助" in page
    r = client.get(reverse("aid:report_xlsx", args=[w["fund"].pk]))
    wb = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(r.streaming_content)))
    rows = wb.get_sheet_by_index(0).to_python()
    assert ["重大病补助", 3000.0, 1.0] in [list(x[:3]) for x in rows]


def test_the_import_page_checks_then_writes(client, w):
    login(client, w["alice"])
    url = reverse("aid:import", args=[w["fund"].pk])
    content = sheets.xlsx(
        [
            {
                "姓名": "张红",
                "身份证号码": w["m_a1"].reveal_id_number(),
                "捐助金额": "-1",
                "捐助日期": today().isoformat(),
            }
        ],
        ["姓名", "身份证号码", "捐助金额", "捐助日期"],
    )
    r = client.post(url, {"file": sheets.upload(content, "d.xlsx")})
    assert "应大于0元" in r.content.decode() and not Donation.objects.exists()


def test_the_dashboard_card_and_the_phone_card(client, w):
    login(client, w["alice"])
    page = client.get(reverse("core:dashboard")).content.decode()
    assert 'data-testid="aid-panel"' in page and "10,000.00" in page
    apply(w)
    login(client, w["hong"])
    assert 'data-testid="my-aid-card"' in client.get(reverse("core:dashboard")).content.decode()


@pytest.mark.parametrize(
    ("name", "arg"),
    [
        ("aid:fund", "fund"),
        ("aid:import", "fund"),
        ("aid:report", "fund"),
        ("aid:report_xlsx", "fund"),
        ("aid:application", "app"),
        ("aid:certificate", "don"),
        ("aid:reverse", "mov"),
        ("aid:answer", "obj"),
    ],
)
def test_a_stranger_gets_404_and_nothing_changes(client, w, name, arg):
    a = to_publicity(w)
    o = svc.objection_file(actor=None, application=a, text="请核实该党员的情况。")
    d = funds.donation_record(
        actor=w["alice"],
        scope=S(w["alice"]),
        fund=w["fund"],
        member=w["m_a2"],
        amount_fen=100,
        donated_on=today(),
    )
    ids = {"fund": w["fund"].pk, "app": a.pk, "don": d.pk, "mov": d.movement_id, "obj": o.pk}
    login(client, w["charlie"])
    url = reverse(name, args=[ids[arg]])
    before = counts()
    assert client.get(url).status_code in (404, 405)
    assert client.post(url, {"step": "pay", "reason": "x", "answer": "已核实。"}).status_code == 404
    assert counts() == before
    listing = client.get(reverse("aid:applications")).content.decode()
    assert "暂无申请" in listing and "张红" not in listing
