"""Give the rows written before audit rows had to have a place one, so that the auditors of
that subtree see them: a case's rows stand in its area, a member's or an organization's in the
organization, anything else at the actor's home (their widest role assignment, their member
record, a resident's home), else at the root of the organization tree."""

from django.db import migrations


def backfill(apps, schema_editor):
    audit_log = apps.get_model("core", "AuditLog")
    rows = list(
        audit_log.objects.filter(org_path="", area_path="").values_list(
            "pk", "object_type", "object_id", "actor_id"
        )
    )
    if not rows:
        return
    case = apps.get_model("cases", "Case")
    member = apps.get_model("members", "Member")
    organization = apps.get_model("orgs", "Organization")
    assignment = apps.get_model("accounts", "RoleAssignment")
    user = apps.get_model("accounts", "User")
    resident = apps.get_model("accounts", "Resident")

    def ids(kind: str) -> set[int]:
        return {int(oid) for _pk, t, oid, _a in rows if t == kind and oid.isdecimal()}

    cases = dict(case.objects.filter(pk__in=ids("cases.case")).values_list("pk", "area_path"))
    members = dict(
        member.objects.filter(pk__in=ids("members.member")).values_list("pk", "org_path")
    )
    orgs = dict(
        organization.objects.filter(pk__in=ids("orgs.organization")).values_list("pk", "path")
    )
    actors = {a for *_rest, a in rows if a}
    homes: dict[int, tuple[str, str]] = {}
    for uid, org_path, area_path in assignment.objects.filter(
        user_id__in=actors, active=True
    ).values_list("user_id", "org__path", "area__path"):
        current = homes.get(uid)
        place = (org_path or "", "" if org_path else area_path or "")
        # the widest anchor, an organization before an area
        key = (0 if place[0] else 1, len(place[0] or place[1]))
        if current is None or key < (0 if current[0] else 1, len(current[0] or current[1])):
            homes[uid] = place
    for uid, path in user.objects.filter(pk__in=actors - set(homes)).values_list(
        "pk", "member__org_path"
    ):
        if path:
            homes[uid] = (path, "")
    for uid, path in resident.objects.filter(user_id__in=actors - set(homes)).values_list(
        "user_id", "home__path"
    ):
        homes[uid] = ("", path)
    root = organization.objects.filter(depth=1).order_by("path").values_list("path", flat=True)
    root_path = root.first() or ""
    for pk, kind, oid, actor_id in rows:
        n = int(oid) if oid.isdecimal() else None
        if kind == "cases.case" and n in cases:
            place = ("", cases[n])
        elif kind == "members.member" and n in members:
            place = (members[n], "")
        elif kind == "orgs.organization" and n in orgs:
            place = (orgs[n], "")
        elif actor_id in homes:
            place = homes[actor_id]
        else:
            place = (root_path, "")
        if any(place):
            audit_log.objects.filter(pk=pk).update(org_path=place[0], area_path=place[1])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_auditlog_area_path"),
        ("accounts", "0005_resident"),
        ("cases", "0004_grid_step"),
        ("members", "0005_transfer_self_request"),
        ("orgs", "0002_unit_credit_code_unique"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
