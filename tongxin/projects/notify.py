"""The 消息中心 side of 微项目: the lead organization's people hear of a project's 立项."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext

from tongxin.inbox.selectors import recipients_at
from tongxin.inbox.services import deliver
from tongxin.projects.models import MicroProject


def created(p: MicroProject) -> int:
    return deliver(
        recipients=recipients_at([p.lead_org_id]),
        kind="project",
        key=f"projects.create:{p.pk}",
        title=gettext("微项目已立项：%(name)s") % {"name": p.name},
        link=reverse("projects:detail", args=[p.pk]),
        org_path=p.lead_org_path,
    )
