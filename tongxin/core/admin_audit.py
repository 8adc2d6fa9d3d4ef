"""Admin pages write the same audit rows as the services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.forms.models import model_to_dict

from tongxin.core.audit import audit

SECRET_FIELDS = {"password", "key_hash"}


def _plain(obj: Any) -> dict[str, Any]:
    return {
        k: str(v) if v is not None else None
        for k, v in model_to_dict(obj).items()
        if k not in SECRET_FIELDS
    }


class AuditedAdmin(admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        label = obj._meta.label_lower
        diff = {k: _plain(obj).get(k) for k in form.changed_data} if change else _plain(obj)
        audit(
            actor=request.user,
            action=f"admin.{'change' if change else 'add'}.{label}",
            obj=obj,
            diff=diff,
        )

    def save_formset(self, request, form, formset, change):
        """Inline rows (a user's role assignments) are audited one by one."""
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            audit(
                actor=request.user,
                action=f"admin.delete.{obj._meta.label_lower}",
                obj=obj,
                diff=_plain(obj),
            )
            obj.delete()
        for obj in instances:
            adding = obj.pk is None
            obj.save()
            audit(
                actor=request.user,
                action=f"admin.{'add' if adding else 'change'}.{obj._meta.label_lower}",
                obj=obj,
                diff=_plain(obj),
            )
        formset.save_m2m()

    def delete_model(self, request, obj):
        audit(
            actor=request.user,
            action=f"admin.delete.{obj._meta.label_lower}",
            obj=obj,
            diff=_plain(obj),
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            audit(
                actor=request.user,
                action=f"admin.delete.{obj._meta.label_lower}",
                obj=obj,
                diff=_plain(obj),
            )
        super().delete_queryset(request, queryset)


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records written only through the services (which validate and audit): the admin
    site shows them and changes nothing."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
