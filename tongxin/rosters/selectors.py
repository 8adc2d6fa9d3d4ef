"""Every read of the rosters app, filtered by a Scope (or, for the duplicate check, across the
city on purpose, returning nothing but what the importer may know)."""

from __future__ import annotations

from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext

from tongxin.core.errors import ServiceError
from tongxin.core.scope import Scope, subtree_q
from tongxin.geo.models import Area
from tongxin.members.models import Member
from tongxin.members.selectors import MemberFilters, member_list
from tongxin.orgs.models import Organization, OrgKind
from tongxin.orgs.selectors import org_queryset, unit_queryset
from tongxin.rosters.models import ImportJob


def job_queryset(scope: Scope, kind: str | None = None) -> QuerySet[ImportJob]:
    """A user sees the imports they started, nobody else's: the report names the rows of
    their file. `kind`: only member or only organization rosters."""
    if scope.user_id is None:
        return ImportJob.objects.none()
    qs = ImportJob.objects.filter(created_by_id=scope.user_id)
    return qs.filter(kind=kind) if kind else qs


def get_job_for(scope: Scope, pk: object, kind: str | None = None) -> ImportJob:
    try:
        return job_queryset(scope, kind).get(pk=int(str(pk)))
    except (ImportJob.DoesNotExist, ValueError):
        raise Http404(gettext("导入记录不存在或不是您上传的。")) from None


def job_list(scope: Scope, kind: str | None = None) -> QuerySet[ImportJob]:
    """One query: the list shows only the job's own columns."""
    return job_queryset(scope, kind).defer("report").order_by("-created_at", "-id")


def job_by_id(pk: int) -> ImportJob | None:
    """For the task worker, which acts for the job's creator (it rebuilds their scope)."""
    return ImportJob.objects.select_related("created_by").filter(pk=pk).first()


def orgs_for_import(scope: Scope) -> list[tuple[int, str, str, str]]:
    """(id, path, name, kind) of every organization the user may register members in."""
    return list(
        org_queryset(scope, "members.manage")
        .order_by("path")
        .values_list("id", "path", "name", "kind")
    )


def import_target_queryset(scope: Scope) -> QuerySet[Organization]:
    """The organizations a member roster may be imported into (the upload page's choice):
    those the user manages members in, but 党小组, which hold no members' relationships."""
    return org_queryset(scope, "members.manage").exclude(kind=OrgKind.GROUP).order_by("path")


def get_import_target_for(scope: Scope, pk: object) -> Organization:
    """The chosen organization, or a refusal saying to choose one in reach (the same words
    for one that does not exist: nothing is told about organizations out of reach)."""
    try:
        return import_target_queryset(scope).get(pk=int(str(pk)))
    except (Organization.DoesNotExist, ValueError, TypeError):
        raise ServiceError(
            gettext("所选党组织不存在或不在您的管辖范围内，请从列表中选择党员要导入到的党组织。"),
            fields={"org": gettext("请选择您管理的党组织。")},
        ) from None


def default_import_target(scope: Scope, user: object) -> Organization | None:
    """The organization a roster without 所在党组织 goes to unless the importer chooses
    another: the importer's own 党支部 — their member record's branch, or the one branch their
    role is anchored in. None for a street or city user: a 党工委 is no place for members
    (《党章》第三十条: 每个党员必须编入党的一个支部、小组或其他特定组织), they choose."""
    member_id = getattr(user, "member_id", None)
    qs = import_target_queryset(scope).filter(kind=OrgKind.BRANCH)
    if member_id:
        own = qs.filter(members__pk=member_id).first()
        if own is not None:
            return own
    paths = {g.path for g in scope.grants.get("members.manage", []) if g.kind == "org"}
    if len(paths) != 1:
        return None
    return qs.filter(path__in=paths).first()


# What the importer reads of a member found by ID number: enough to compare and update.
MATCH_COLUMNS = (
    "id",
    "id_number_index",
    "org_id",
    "org_path",
    "residence__path",
    "name",
    "ethnicity",
    "education",
    "status",
    "standing",
    "joined_on",
    "confirmed_on",
    "is_floating",
    "floating_to",
    "is_lost_contact",
    "is_model_post",
    "is_party_household",
    "phone_enc",
)


def members_by_index(indexes: list[str]) -> list[dict[str, object]]:
    """Members holding any of these ID blind indexes, anywhere in the city: a number is
    registered once. The importer shows only "already registered" for those out of the
    user's reach (as validate_member does) and updates those within it."""
    if not indexes:
        return []
    if connection.vendor == "postgresql":
        # One array parameter instead of thousands of placeholders to bind and plan.
        qs = Member.objects.extra(
            where=["members_member.id_number_index = ANY(%s)"], params=[indexes]
        )
    else:
        qs = Member.objects.filter(id_number_index__in=indexes)
    return list(qs.values(*MATCH_COLUMNS))


def member_holders(ids: list[int]) -> list[Member]:
    """The records an out-of-reach duplicate points at, for the audit row (never shown)."""
    return list(Member.objects.filter(pk__in=ids).only("id", "name", "org_path"))


EXPORT_COLUMNS = (
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
    "id_number_enc",
    "phone_enc",
    "is_floating",
    "floating_to",
    "is_lost_contact",
    "is_model_post",
    "is_party_household",
    "org_path",
    "org__name",
    "residence__path",
    "residence__name",
)


def export_members(scope: Scope, filters: MemberFilters) -> QuerySet[Member]:
    """The roster as the list page shows it (same filters, same scope), with what the export
    writes: one query, read in chunks."""
    return (
        member_list(scope, filters)
        .select_related("org", "residence")
        .only(*EXPORT_COLUMNS)
        .order_by("org_path", "id")
    )


# ---- the organization roster import (org_import.py) -------------------------------------------

ORG_IMPORT_COLUMNS = (
    "id",
    "path",
    "depth",
    "name",
    "kind",
    "establishment",
    "sector",
    "is_joint",
    "is_temporary",
    "area_id",
    "area__path",
    "unit_id",
    "founded_on",
)


def orgs_for_org_import(scope: Scope) -> list[dict[str, object]]:
    """Every organization the user manages (orgs.manage): the parents an import may name and
    the organizations it may update, with what it compares."""
    return list(org_queryset(scope, "orgs.manage").order_by("path").values(*ORG_IMPORT_COLUMNS))


def orgs_named(names: list[str]) -> list[tuple[int, str, str]]:
    """(id, path, name) of organizations with these names, anywhere: the importer keeps only
    the children of parents the user manages, to find a same-named sibling out of their
    reach (which an import may neither update nor duplicate)."""
    out: list[tuple[int, str, str]] = []
    for i in range(0, len(names), 500):
        out += Organization.objects.filter(name__in=names[i : i + 500]).values_list(
            "id", "path", "name"
        )
    return out


def org_child_kinds(org_path: str, depth: int) -> set[str]:
    """The kinds of all children of an organization the user manages (also those out of
    their reach), for the rule that a kind change must suit the children (orgs.services)."""
    return set(
        Organization.objects.filter(subtree_q("path", org_path), depth=depth + 1)
        .order_by()
        .values_list("kind", flat=True)
        .distinct()
    )


def areas_named(names: list[str]) -> list[tuple[int, str, str, str]]:
    """(id, path, name, level) of the areas with these names. The importer keeps only those
    under the parent organization's area, as the organization form offers them."""
    out: list[tuple[int, str, str, str]] = []
    for i in range(0, len(names), 500):
        out += Area.objects.filter(name__in=names[i : i + 500]).values_list(
            "id", "path", "name", "level"
        )
    return out


def units_for_org_import(scope: Scope, values: list[str]) -> list[tuple[int, str, str]]:
    """(id, name, credit code) of the units the organization form offers (those in the
    user's reach) named by these values, as a name or a credit code."""
    found: list[tuple[int, str, str]] = []
    for i in range(0, len(values), 500):
        part = values[i : i + 500]
        found += (
            unit_queryset(scope)
            .filter(Q(name__in=part) | Q(credit_code__in=[v.upper() for v in part]))
            .values_list("id", "name", "credit_code")
        )
    return list(dict.fromkeys(found))
