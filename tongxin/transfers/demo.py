"""Demo data for 组织关系转接: the demo branch (user zhibu) has transfers at every stage (waiting
at the first approver, letter issued, completed, rejected), made through the services."""

from __future__ import annotations

from django.db.models import Model

from tongxin.accounts.models import RoleAssignment
from tongxin.core.demodata import DemoContext
from tongxin.core.scope import Scope, subtree_q
from tongxin.members.models import Member
from tongxin.orgs.models import Organization, OrgKind
from tongxin.transfers import services
from tongxin.transfers.models import Transfer, TransferEvent, TransferStep


def _org_of(username: str) -> Organization | None:
    """The organization a demo account's role is anchored at (zhibu: the demo branch)."""
    ra = (
        RoleAssignment.objects.filter(user__username=username, org__isnull=False)
        .select_related("org__area")
        .first()
    )
    return ra.org if ra else None


def load(ctx: DemoContext) -> None:
    branch, street = _org_of("zhibu"), _org_of("jiedao")
    if branch is None or street is None:
        ctx.say("转接演示：未找到演示支部，跳过")
        return
    _transfers(ctx, branch, street)


def _transfers(ctx: DemoContext, branch: Organization, street: Organization) -> None:
    everything = Scope.everything()
    siblings = list(
        Organization.objects.filter(subtree_q("path", street.path), kind=OrgKind.BRANCH)
        .exclude(pk=branch.pk)
        .order_by("path")[:3]
    )
    far = (
        Organization.objects.filter(kind=OrgKind.BRANCH, is_temporary=False)
        .exclude(subtree_q("path", street.path))
        .order_by("path")
        .first()
    )
    people = list(Member.objects.filter(org=branch).order_by("id")[2:8])
    if not siblings or len(people) < 4:
        return
    plans: list[tuple[Member, Organization, int, str]] = [
        (people[0], siblings[0], 0, "工作调动"),  # waiting at the first approver
        (people[1], far or siblings[0], 99, "迁居外区"),  # letter issued
        (people[2], siblings[-1], 100, "迁居"),  # received and completed
        (people[3], siblings[0], -1, "工作调动"),  # rejected
    ]
    for member, target, approvals, reason in plans:
        t = services.transfer_create(
            actor=None, scope=everything, member=member, target=target, reason=reason, submit=True
        )
        if approvals < 0:
            services.transfer_reject(
                actor=None, scope=everything, transfer=t, note="请补充党费缴纳证明"
            )
            continue
        for _ in range(approvals):
            t = Transfer.objects.get(pk=t.pk)
            if t.status not in ("submitted", "approved_out") or (
                approvals == 99 and t.status == "approved_out"
            ):
                break
            services.transfer_approve(actor=None, scope=everything, transfer=t)
        if approvals == 100:
            services.transfer_complete(actor=None, scope=everything, transfer=t)
    ctx.say("组织关系转接：4 条（审批中、已开介绍信、已完成、已退回）")


def wipe() -> None:
    models: list[type[Model]] = [TransferEvent, TransferStep, Transfer]
    for model in models:
        model._default_manager.all().delete()
