"""Every write to members: validated, atomic, audited (DESIGN §3.2, §4.2)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from tongxin.accounts.models import User
from tongxin.core import idnumber, pii
from tongxin.core.audit import audit, model_diff
from tongxin.core.errors import ServiceError
from tongxin.core.scope import Scope, acting_scope, in_scope, require, subtree_q
from tongxin.members import selectors
from tongxin.members.models import (
    Education,
    Member,
    MemberStatus,
    OrgRelationChange,
    RelationChangeKind,
    Standing,
)
from tongxin.orgs.models import Organization, OrgKind
from tongxin.orgs.selectors import org_queryset, units_for_choice

# Lazy: translated when the refusal is built (str() it there).
DUPLICATE_ID = gettext_lazy(
    "该身份证号码已登记为党员，不能重复登记；如需转入，请办理组织关系转接。"
)


@dataclass
class MemberInput:
    name: str
    id_number: str
    education: str
    joined_on: dt.date
    status: str
    org: Organization
    ethnicity: str = "汉族"
    phone: str = ""
    confirmed_on: dt.date | None = None
    standing: str = Standing.NORMAL
    residence: Any = None
    work_unit: Any = None
    is_floating: bool = False
    floating_to: str = ""
    is_lost_contact: bool = False
    is_model_post: bool = False
    is_party_household: bool = False


def _add_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def validate_member(data: MemberInput, *, instance: Member | None = None) -> dict[str, Any]:
    """Field errors in the active language; returns the derived values (id info, phone) when
    valid."""
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if not data.name.strip():
        errors["name"] = gettext("请填写姓名。")
    info = None
    try:
        info = idnumber.parse(data.id_number)
    except idnumber.IdNumberError as e:
        errors["id_number"] = str(e)
    phone = pii.normalize_phone(data.phone or "")
    if phone and not pii.is_mobile(phone):
        errors["phone"] = gettext("手机号码应为11位、以1开头的数字，请核对。")
    # 学历 and 民族 may stay blank (not yet registered, as a branch's own register often
    # lacks them); one that is given must be one of the list.
    if data.education and data.education not in Education.values:
        errors["education"] = gettext("请选择学历。")
    if data.status not in MemberStatus.values:
        errors["status"] = gettext("请选择党员类别（预备党员或正式党员）。")
    if data.standing not in Standing.values:
        errors["standing"] = gettext("请选择党籍状态。")
    if data.joined_on > today:
        errors["joined_on"] = gettext("入党日期不能晚于今天。")
    elif info and data.joined_on < _add_years(info.birth_date, 18):
        errors["joined_on"] = gettext("入党时应年满18周岁，请核对入党日期和身份证号码。")
    if data.confirmed_on:
        if data.confirmed_on > today:
            errors["confirmed_on"] = gettext("转正日期不能晚于今天。")
        elif data.confirmed_on < data.joined_on:
            errors["confirmed_on"] = gettext("转正日期不能早于入党日期。")
        elif data.confirmed_on < _add_years(data.joined_on, 1):
            # 《中国共产党章程》第七条：预备党员的预备期为一年。
            errors["confirmed_on"] = gettext("预备期为一年，转正日期应在入党满一年之后，请核对。")
        elif data.status == MemberStatus.PROBATIONARY:
            errors["confirmed_on"] = gettext("预备党员没有转正日期；已转正的请选择“正式党员”。")
    elif data.status == MemberStatus.FULL and "status" not in errors:
        errors["confirmed_on"] = gettext("正式党员请填写转正日期。")
    if data.org.kind == OrgKind.GROUP:
        errors["org"] = gettext("党员的组织关系应在党支部，不能直接编入党小组。")
    if data.is_floating and not data.floating_to.strip():
        errors["floating_to"] = gettext("流动党员请填写流动去向。")
    if errors:
        raise ServiceError(gettext("请按提示修改后再提交。"), fields=errors)
    # Last, and only for an otherwise valid form: the check looks across the whole city, so a
    # refusal is audited (DuplicateIdError) and it never says where the other record lives.
    assert info is not None
    existing = _holder_of(info.number, instance)
    if existing is not None:
        raise DuplicateIdError(existing)
    return {"info": info, "phone": phone}


def _holder_of(number: str, instance: Member | None) -> Member | None:
    dup = Member.objects.filter(id_number_index__in=pii.blind_indexes(number))
    if instance is not None:
        dup = dup.exclude(pk=instance.pk)
    return dup.only("id", "name", "org_path").first()


class DuplicateIdError(ServiceError):
    """The number is registered already; `existing` is that record (never shown to the user)."""

    def __init__(self, existing: Member | None):
        super().__init__(gettext("请按提示修改后再提交。"), fields={"id_number": str(DUPLICATE_ID)})
        self.existing = existing


def _audit_duplicate(actor: User | None, data: MemberInput, existing: Member | None) -> None:
    """Filed with the record that was found, so the auditors of its organization see that
    its number was confirmed to someone. Written outside the write transaction: it stays
    although nothing else is saved."""
    audit(
        actor=actor,
        action="members.duplicate_refused",
        obj=existing,
        object_type="members.member",
        diff={"target_org": data.org.pk},
    )


def _validate_audited(
    actor: User | None, data: MemberInput, instance: Member | None
) -> dict[str, Any]:
    try:
        return validate_member(data, instance=instance)
    except DuplicateIdError as e:
        _audit_duplicate(actor, data, e.existing)
        raise


def _concurrent_duplicate(
    actor: User | None, data: MemberInput, instance: Member | None
) -> ServiceError:
    """The unique index refused a number registered by someone else a moment ago."""
    info = idnumber.parse(data.id_number)
    existing = _holder_of(info.number, instance)
    _audit_duplicate(actor, data, existing)
    return DuplicateIdError(existing)


PLAIN_FIELDS = [
    "name",
    "ethnicity",
    "education",
    "joined_on",
    "confirmed_on",
    "status",
    "standing",
    "is_floating",
    "floating_to",
    "is_lost_contact",
    "is_model_post",
    "is_party_household",
]


def _snapshot(m: Member) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in PLAIN_FIELDS:
        v = getattr(m, f)
        out[f] = v.isoformat() if isinstance(v, dt.date) else v
    out.update(
        org=m.org_id,
        residence=m.residence_id,
        work_unit=m.work_unit_id,
        id_number=m.id_number_masked,
        phone=m.phone_masked,
    )
    return out


def _apply(m: Member, data: MemberInput, derived: dict[str, Any]) -> None:
    for f in PLAIN_FIELDS:
        v = getattr(data, f)
        setattr(m, f, v.strip() if isinstance(v, str) else v)
    info = derived["info"]
    if not m.id_number_index or m.id_number_index != pii.blind_index(info.number):
        m.set_id_number(info.number)
    if derived["phone"] != (m.reveal_phone() if m.phone_enc else ""):
        m.set_phone(derived["phone"])
    m.org = data.org
    m.org_path = data.org.path
    m.residence = data.residence
    m.work_unit = data.work_unit


def _check_links(scope: Scope, data: MemberInput) -> None:
    """The organization a member is registered in, and the work unit they are linked to."""
    require(
        in_scope(org_queryset(scope, "members.manage"), data.org),
        gettext("您没有在该党组织登记、管理党员的权限。"),
    )
    if data.work_unit is not None:
        require(
            in_scope(units_for_choice(scope), data.work_unit),
            gettext("所选工作单位不在您的管理范围内。"),
        )


def member_create(*, actor: User | None, data: MemberInput, scope: Scope | None = None) -> Member:
    _check_links(acting_scope(actor, scope), data)
    derived = _validate_audited(actor, data, None)
    try:
        with transaction.atomic():
            return _create(actor, data, derived)
    except IntegrityError:
        raise _concurrent_duplicate(actor, data, None) from None


def _create(actor: User | None, data: MemberInput, derived: dict[str, Any]) -> Member:
    m = Member()
    _apply(m, data, derived)
    m.save()
    OrgRelationChange.objects.create(
        member=m,
        kind=RelationChangeKind.JOINED,
        to_org=m.org,
        to_org_name=m.org.name,
        on=m.joined_on,
        note="登记入册",
    )
    audit(actor=actor, action="members.create", obj=m, diff=_snapshot(m))
    return m


def member_update(
    *, actor: User | None, member: Member, data: MemberInput, scope: Scope | None = None
) -> Member:
    scope = acting_scope(actor, scope)
    require(
        in_scope(selectors.member_queryset(scope, "members.manage"), member),
        gettext("您没有管理该党员的权限。"),
    )
    _check_links(scope, data)
    derived = _validate_audited(actor, data, member)
    try:
        with transaction.atomic():
            return _update(actor, member, data, derived)
    except IntegrityError:
        raise _concurrent_duplicate(actor, data, member) from None


def _update(
    actor: User | None, member: Member, data: MemberInput, derived: dict[str, Any]
) -> Member:
    before = _snapshot(member)
    old_org = member.org
    _apply(member, data, derived)
    member.save()
    if old_org.pk != member.org_id:
        OrgRelationChange.objects.create(
            member=member,
            kind=RelationChangeKind.CORRECTED,
            from_org=old_org,
            from_org_name=old_org.name,
            to_org=member.org,
            to_org_name=member.org.name,
            on=timezone.localdate(),
            note="信息更正",
        )
    audit(
        actor=actor, action="members.update", obj=member, diff=model_diff(before, _snapshot(member))
    )
    return member


PII_FIELDS = {"id_number": gettext_lazy("身份证号码"), "phone": gettext_lazy("手机号码")}


@transaction.atomic
def member_reveal_pii(
    *, actor: User | None, member: Member, field_name: str, scope: Scope | None = None
) -> str:
    """Return the clear value and write the audit row that says who saw it."""
    require(
        in_scope(
            selectors.member_queryset(acting_scope(actor, scope), "members.reveal_pii"), member
        ),
        gettext("您没有查看该党员个人信息的权限。"),
    )
    if field_name not in PII_FIELDS:
        raise ServiceError(gettext("只能查看身份证号码或手机号码。"))
    value = member.reveal_id_number() if field_name == "id_number" else member.reveal_phone()
    audit(actor=actor, action="members.reveal_pii", obj=member, diff={"field": field_name})
    return value


@transaction.atomic
def member_pii_rekey(*, actor: User | None, batch: int = 2000) -> int:
    """Re-encrypt ID and phone numbers stored under an earlier key with the current key and
    recompute their blind index. All or nothing: one transaction. Returns the rows changed.
    The whole installation's rows: a system task or a superuser."""
    require(acting_scope(actor).is_superuser, gettext("只有系统管理员可以轮换个人信息密钥。"))
    from django.conf import settings

    current = f"{settings.PII_KEY_ID}:"
    stale = Member.objects.filter(
        ~Q(id_number_enc__startswith=current)
        | (~Q(phone_enc="") & ~Q(phone_enc__startswith=current))
    ).order_by("id")
    changed = 0
    fields = ["id_number_enc", "id_number_index", "phone_enc", "phone_index"]
    while rows := list(stale.only("id", *fields)[:batch]):
        for m in rows:
            number = pii.decrypt(m.id_number_enc)
            m.id_number_enc, m.id_number_index = pii.encrypt(number), pii.blind_index(number)
            phone = pii.decrypt(m.phone_enc) if m.phone_enc else ""
            if phone:
                m.phone_enc, m.phone_index = pii.encrypt(phone), pii.blind_index(phone)
        Member.objects.bulk_update(rows, fields)
        changed += len(rows)
    audit(
        actor=actor,
        action="members.pii_rekey",
        object_type="members.member",
        diff={"rows": changed, "key_id": settings.PII_KEY_ID},
        installation_wide=True,
    )
    return changed


def member_pii_search_logged(
    *, actor: User | None, kind: str, found: list[Member], scope: Scope | None = None
) -> None:
    """An exact search by ID or phone number confirms a number: it is audited like a reveal,
    one row per member found (so the auditors of that member's organization see it), or one
    row when nothing was found. The number itself is never written to the log. Only a user
    who may reveal numbers searches by one, and finds only the members whose numbers they
    may reveal (selectors.member_list)."""
    scope = acting_scope(actor, scope)
    require(scope.has("members.reveal_pii"), str(selectors.PII_SEARCH_REFUSED))
    if found:
        reachable = selectors.member_queryset(scope, "members.reveal_pii")
        require(
            reachable.filter(pk__in=[m.pk for m in found]).count() == len({m.pk for m in found}),
            str(selectors.PII_SEARCH_REFUSED),
        )
    if not found:
        audit(
            actor=actor,
            action="members.search_pii",
            object_type="members.member",
            diff={"field": kind, "found": 0},
        )
    for member in found:
        audit(
            actor=actor,
            action="members.search_pii",
            obj=member,
            diff={"field": kind, "found": len(found)},
        )


def member_paths_follow_org(*, old_path: str, new_path: str, **_signal: object) -> int:
    """Receiver of ``orgs.hooks.org_moved`` (inside org_move's transaction): the members of a
    moved subtree get its new path, so "members in a subtree" stays one indexed range."""
    return Member.objects.filter(subtree_q("org_path", old_path)).update(
        org_path=Concat(Value(new_path), Substr("org_path", len(old_path) + 1))
    )
