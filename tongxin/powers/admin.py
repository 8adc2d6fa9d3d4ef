"""小微权力 in the admin, read-only: the catalogue is edited on its pages and every use of a power
walks its flow through the services (no step skipped, documents, 公示, audit). An applicant's or
an objector's name shows masked, as on the public register."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tongxin.core.admin_audit import ReadOnlyAdmin
from tongxin.powers.models import InstanceStep, Objection, PowerInstance, PowerItem, PowerStep
from tongxin.powers.selectors import public_name


@admin.register(PowerItem)
class PowerItemAdmin(ReadOnlyAdmin):
    list_display = ("number", "name", "power_class", "area", "org", "active")
    list_filter = ("power_class", "active")
    raw_id_fields = ("area", "org")


@admin.register(PowerStep)
class PowerStepAdmin(ReadOnlyAdmin):
    list_display = ("item", "order", "name", "role", "publicity_days", "limit_days")
    raw_id_fields = ("item",)


@admin.register(PowerInstance)
class PowerInstanceAdmin(ReadOnlyAdmin):
    list_display = ("title", "item", "applicant_masked", "status", "step_due_on")
    list_filter = ("status",)
    exclude = ("applicant",)
    readonly_fields = ("applicant_masked",)
    raw_id_fields = ("item", "created_by")

    @admin.display(description=_("申请人"))
    def applicant_masked(self, obj: PowerInstance) -> str:
        return public_name(obj.applicant)


@admin.register(InstanceStep)
class InstanceStepAdmin(ReadOnlyAdmin):
    list_display = ("instance", "step", "done_at", "actor")
    raw_id_fields = ("instance", "step", "actor")


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ("instance", "filer_masked", "filed_at", "answered_at")
    exclude = ("filer_name", "filed_by")
    readonly_fields = ("filer_masked",)
    raw_id_fields = ("instance", "step", "answered_by")

    @admin.display(description=_("提出人"))
    def filer_masked(self, obj: Objection) -> str:
        return public_name(obj.filer_name)
