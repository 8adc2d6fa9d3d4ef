"""Every read of members, filtered by a Scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tongxin.accounts.selectors import residents_of
from tongxin.core import idnumber, pii
from tongxin.core.scope import Scope, subtree_q
from tongxin.members.models import Education, Member, MemberStatus
from tongxin.orgs.models import Organization

# The roster page and the API's MemberOut read these; a column left out here costs one query
# per row when it is read.
LIST_COLUMNS = (
    "id",
    "name",
    "gender",
    "ethnicity",
    "education",
    "status",
    "standing",
    "joined_on",
    "confirmed_on",
    "birth_date",
    "id_number_masked",
    "phone_masked",
    "is_floating",
    "is_lost_contact",
    "is_model_post",
    "is_party_household",
    "org_path",
    "org__name",
    "org__sector",
)


@dataclass
class MemberFilters:
    org: Organization | None = None  # limit to this subtree
    status: str = ""
    sector: str = ""
    flags: list[str] = field(default_factory=list)  # floating, lost_contact, model_post, household
    text: str = ""  # a name, or an exact ID number / phone number


FLAG_FIELDS = {
    "floating": "is_floating",
    "lost_contact": "is_lost_contact",
    "model_post": "is_model_post",
    "household": "is_party_household",
}


def member_queryset(scope: Scope, perm: str = "members.view") -> QuerySet[Member]:
    return Member.objects.filter(scope.members_q(perm))


def get_member_for(scope: Scope, pk: object, perm: str = "members.view") -> Member:
    try:
        return (
            member_queryset(scope, perm)
            .select_related("org", "residence", "work_unit")
            .get(pk=int(str(pk)))
        )
    except (Member.DoesNotExist, ValueError):
        raise Http404(gettext("党员不存在或不在您的管辖范围内。")) from None


def pii_query_kind(text: str) -> str | None:
    """ "id_number" or "phone" when the search text is a whole ID or mobile number."""
    norm = idnumber.normalize(text.strip())
    if len(norm) == 18 and norm[:17].isdigit():
        return "id_number"
    if pii.is_mobile(pii.normalize_phone(text.strip())):
        return "phone"
    return None


# Lazy: str() it where the refusal is shown.
PII_SEARCH_REFUSED = _("按身份证号码或手机号码精确查找需要“查看个人信息”权限，请改按姓名查找。")


def _text_q(scope: Scope, text: str) -> Q:
    """Name search, or an exact match through the blind index. An exact match confirms a
    number, so it is limited to the members whose numbers the user may reveal anyway."""
    text = text.strip()
    kind = pii_query_kind(text)
    if kind is None:
        return Q(name__contains=text)
    if kind == "id_number":
        q = Q(id_number_index__in=pii.blind_indexes(idnumber.normalize(text)))
    else:
        q = Q(phone_index__in=pii.blind_indexes(pii.normalize_phone(text)))
    return q & scope.members_q("members.reveal_pii")


def member_list(scope: Scope, filters: MemberFilters | None = None) -> QuerySet[Member]:
    """The roster: one query for the rows (org joined), ordered along the tree."""
    f = filters or MemberFilters()
    qs = _in_subtree(scope, f.org) if f.org is not None else member_queryset(scope)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.sector:
        qs = qs.filter(org__sector=f.sector)
    for flag in f.flags:
        if flag in FLAG_FIELDS:
            qs = qs.filter(**{FLAG_FIELDS[flag]: True})
    if f.text.strip():
        qs = qs.filter(_text_q(scope, f.text))
    return qs.select_related("org").only(*LIST_COLUMNS).order_by("org_path", "id")


def _in_subtree(scope: Scope, org: Organization, perm: str = "members.view") -> QuerySet[Member]:
    qs = Member.objects.filter(subtree_q("org_path", org.path))
    if not scope.covers_org_subtree(perm, org.path):
        qs = qs.filter(scope.members_q(perm))
    return qs


def member_count_in_subtree(scope: Scope, org: Organization) -> int:
    return _in_subtree(scope, org).count()


AGE_BANDS = [
    (0, 35, _("35岁及以下")),
    (36, 45, _("36-45岁")),
    (46, 60, _("46-60岁")),
    (61, 200, _("61岁及以上")),
]


def member_stats(scope: Scope, today: dt.date | None = None) -> dict[str, dict[str, int]]:
    """Counts for the 工作台 by status, age band and education, in one pass over the rows."""
    today = today or timezone.localdate()
    aggregates: dict[str, Count] = {}
    for s in MemberStatus:
        aggregates[f"status_{s.value}"] = Count("id", filter=Q(status=s.value))
    for e in Education:
        aggregates[f"edu_{e.value}"] = Count("id", filter=Q(education=e.value))
    for i, (lo, hi, _label) in enumerate(AGE_BANDS):
        youngest = dt.date(today.year - lo, today.month, min(today.day, 28))
        oldest = dt.date(today.year - hi - 1, today.month, min(today.day, 28))
        aggregates[f"age_{i}"] = Count(
            "id", filter=Q(birth_date__lte=youngest, birth_date__gt=oldest)
        )
    row = member_queryset(scope).order_by().aggregate(**aggregates)
    return {
        "by_status": {str(s.label): row[f"status_{s.value}"] or 0 for s in MemberStatus},
        "by_age": {
            str(label): row[f"age_{i}"] or 0 for i, (_lo, _hi, label) in enumerate(AGE_BANDS)
        },
        "by_education": {str(e.label): row[f"edu_{e.value}"] or 0 for e in Education},
    }


def member_relation_history(member: Member):
    return member.relation_history.all()[:50]


def own_member(user: object) -> Member | None:
    """The member record behind an account (我的党费, 我的双报到, 我的组织关系): only ever
    the account's own, with its branch and residence; None for staff without one and for
    residents."""
    member_id = getattr(user, "member_id", None)
    if not member_id or not getattr(user, "is_authenticated", False):
        return None
    return Member.objects.select_related("org", "residence").filter(pk=member_id).first()


def members_of_place(area_path: str) -> QuerySet[Member]:
    """The Party members of a place (a village, community or compound, by its area path): those
    who live there and those of the organizations anchored there."""
    return Member.objects.filter(
        subtree_q("residence__path", area_path) | subtree_q("org__area__path", area_path)
    )


def belongs_to_place(user: object, area_path: str) -> bool:
    """Whether a signed-in user is of a place: one of its residents (accounts.selectors.
    residents_of, the rule of a deliberation vote's electorate) or one of its Party members
    (members_of_place). One or two queries."""
    user_id = getattr(user, "pk", None)
    if not getattr(user, "is_authenticated", False) or not isinstance(user_id, int):
        return False
    if residents_of(area_path).filter(user_id=user_id).exists():
        return True
    member_id = getattr(user, "member_id", None)
    return isinstance(member_id, int) and members_of_place(area_path).filter(pk=member_id).exists()


def leadership_candidates(scope: Scope, org: Organization) -> QuerySet[Member]:
    """Members of the organization's subtree the user sees, by name: who may take a seat."""
    return member_queryset(scope).filter(subtree_q("org_path", org.path)).order_by("name")


def org_page_members(scope: Scope, org: Organization) -> QuerySet[Member]:
    """The members shown on an organization's page: its subtree's roster."""
    return member_list(scope, MemberFilters(org=org))


def dashboard_member_figures(request: object, scope: Scope) -> dict[str, object]:
    """The 工作台's member figures: counts by status, age band and education."""
    members = member_stats(scope)
    return {"members": members, "member_total": sum(members["by_status"].values())}
