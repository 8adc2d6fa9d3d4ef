"""Every audit row stands somewhere an auditor reaches: the city auditor sees every row of an
import, an export and a case; an auditor of another street sees none of them."""

from __future__ import annotations

import pytest

from tests import factories
from tests.cases.conftest import NOW, report
from tests.rosters import sheets
from tests.rosters.conftest import check, commit
from tongxin.accounts.services import api_token_create
from tongxin.auditing.selectors import audit_list
from tongxin.cases import services as cases
from tongxin.core.audit import UnplacedAuditRow, audit
from tongxin.core.models import AuditLog
from tongxin.core.scope import scope_for_user


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def unplaced() -> int:
    return AuditLog.objects.filter(org_path="", area_path="").count()


def seen_by(user) -> set[int]:
    return set(audit_list(scope_for_user(user)).values_list("pk", flat=True))


def import_export_and_case(w, client_for) -> set[int]:
    """alice imports two members and exports the roster; a case in 紫金花园 goes from report
    to close through the grid worker, alice and the 城管 handler. The ids of their rows."""
    before = set(AuditLog.objects.values_list("pk", flat=True))
    alice = w["alice"]
    job = commit(alice, check(alice, sheets.xlsx([sheets.person(), sheets.person()])))
    assert job.status == "done", job.report
    assert client_for(alice).get("/rosters/export.xlsx").status_code == 200
    case = report(w)
    t = NOW
    for actor, action, note in [
        (alice, "accept", ""),
        (alice, "dispatch", ""),
        (w["dan"], "claim", ""),
        (w["dan"], "resolve", "已清运完毕。"),
        (alice, "verify", ""),
        (alice, "close", ""),
    ]:
        t = t.replace(hour=t.hour + 1)
        case = cases.case_transition(actor=actor, case=case, action=action, note=note, now=t)
    cases.case_note(actor=alice, case=case, note="回访居民，已满意。")
    rows = set(AuditLog.objects.values_list("pk", flat=True)) - before
    actions = set(AuditLog.objects.filter(pk__in=rows).values_list("action", flat=True))
    assert {
        "rosters.upload",
        "rosters.import_members",
        "rosters.export_members",
        "case.report",
        "case.dispatch",
        "case.claim",
        "case.close",
        "case.note",
    } <= actions
    return rows


def test_the_city_auditor_sees_every_row_of_an_import_an_export_and_a_case(cw, client_for):
    rows = import_export_and_case(cw, client_for)
    assert rows <= seen_by(cw["auditor"])
    assert AuditLog.objects.filter(pk__in=rows, org_path="", area_path="").count() == 0
    # the case's rows stand in its compound, the import and the export at alice's street
    case_rows = AuditLog.objects.filter(pk__in=rows, object_type="cases.case")
    assert {r.area_path for r in case_rows} == {cw["compound_a"].path}
    export = AuditLog.objects.get(pk__in=rows, action="rosters.export_members")
    assert export.org_path == cw["street_a"].path


def test_an_auditor_of_another_street_sees_none_of_them(cw, client_for):
    rows = import_export_and_case(cw, client_for)
    bea = factories.user("bea", "auditor", org=cw["street_b"])
    assert rows & seen_by(bea) == set()
    # and an auditor of street A sees them all: the rows are placed, not just hidden
    ada = factories.user("ada", "auditor", org=cw["street_a"])
    assert rows <= seen_by(ada)


def test_the_helper_refuses_a_row_without_a_place(world):
    before = AuditLog.objects.count()
    with pytest.raises(UnplacedAuditRow):
        audit(actor=None, action="members.pii_rekey", object_type="members.member")
    nobody = factories.user("nobody")  # no role, no member record, not a resident
    with pytest.raises(UnplacedAuditRow):
        audit(actor=nobody, action="accounts.token_create", object_type="accounts.apitoken")
    assert AuditLog.objects.count() == before
    assert unplaced() == 0, "make_world's own rows (members created) are placed"


def test_account_actions_stand_at_the_actor_home(world):
    api_token_create(actor=world["alice"], user=world["alice"], name="报表")
    row = AuditLog.objects.get(action="accounts.token_create")
    assert (row.org_path, row.area_path) == (world["street_a"].path, "")
    assert row.pk in seen_by(world["auditor"])
    assert row.pk not in seen_by(factories.user("bea", "auditor", org=world["street_b"]))


def test_a_superuser_action_on_nothing_placed_stands_at_the_root(world):
    admin = factories.user("root", is_superuser=True, is_staff=True)
    row = audit(actor=admin, action="accounts.password_change", obj=admin)
    assert row.org_path == world["city"].path
    assert row.pk in seen_by(world["auditor"])


def test_a_resident_action_stands_at_their_home(cw):
    case = report(cw, actor=cw["rita"], source="resident", resident=cw["rita_res"])
    row = AuditLog.objects.get(action="case.report", object_id=str(case.pk))
    assert row.area_path == cw["compound_a"].path
    row = audit(actor=cw["rita"], action="accounts.password_change", obj=cw["rita"])
    assert row.area_path == cw["compound_a"].path


def test_a_token_for_a_superuser_stands_at_the_root(world):
    admin = factories.user("root", is_superuser=True, is_staff=True)
    api_token_create(actor=None, user=admin, name="同步")
    row = AuditLog.objects.get(action="accounts.token_create")
    assert row.org_path == world["city"].path


def test_rows_written_before_places_are_given_one(cw):
    """The data migration 0003 places the rows an older version wrote without a place."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("tongxin.core.migrations.0003_auditlog_backfill_places")
    case = report(cw)
    AuditLog.objects.all().delete()
    old = {
        "case": AuditLog.objects.create(
            action="case.accept",
            object_type="cases.case",
            object_id=str(case.pk),
            actor=cw["alice"],
        ),
        "member": AuditLog.objects.create(
            action="members.update", object_type="members.member", object_id=str(cw["m_b1"].pk)
        ),
        "export": AuditLog.objects.create(
            action="rosters.export_members", object_type="members.member", actor=cw["alice"]
        ),
        "grid": AuditLog.objects.create(
            action="accounts.password_change", object_type="accounts.user", actor=cw["grace"]
        ),
        "resident": AuditLog.objects.create(
            action="accounts.password_change", object_type="accounts.user", actor=cw["rita"]
        ),
        "system": AuditLog.objects.create(action="case.sweep", object_type="cases.case"),
    }
    migration.backfill(apps, None)
    placed = {
        k: AuditLog.objects.values_list("org_path", "area_path").get(pk=v.pk)
        for k, v in old.items()
    }
    assert placed == {
        "case": ("", cw["compound_a"].path),
        "member": (cw["branch_b1"].path, ""),
        "export": (cw["street_a"].path, ""),
        "grid": ("", cw["comm_a"].path),
        "resident": ("", cw["compound_a"].path),
        "system": (cw["city"].path, ""),
    }
    assert unplaced() == 0


def test_a_row_about_several_organizations_stands_at_their_common_ancestor(world):
    from tongxin.core.audit import common_path

    a1, a2, b1 = (world[k].path for k in ("branch_a1", "branch_a2", "branch_b1"))
    assert common_path([a1, a2]) == world["comm_a_org"].path
    assert common_path([a1, b1]) == world["city"].path
    assert common_path([a1]) == a1 and common_path([]) == ""
