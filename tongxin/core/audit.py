from __future__ import annotations

from typing import Any

from django.db import models

from tongxin.core.models import AuditLog
from tongxin.core.request_context import current_ip


def audit(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    diff: dict[str, Any] | None = None,
    org_path: str = "",
) -> AuditLog:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        # a member's organization, or an organization itself
        org_path = (
            org_path
            or getattr(obj, "org_path", "")
            or (
                obj.path if obj._meta.label_lower == "orgs.organization" else ""  # type: ignore[attr-defined]
            )
        )
    return AuditLog.objects.create(
        actor=actor if (actor is not None and getattr(actor, "pk", None)) else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=str(obj)[:200] if obj is not None else "",
        diff=diff or {},
        ip=current_ip(),
        org_path=org_path,
    )


def model_diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
