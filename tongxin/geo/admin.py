from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from tongxin.core.admin_audit import AuditedAdmin
from tongxin.geo.models import Area


@admin.register(Area)
class AreaAdmin(AuditedAdmin, TreeAdmin):
    form = movenodeform_factory(Area)
    list_display = ("name", "level", "code")
    search_fields = ("name", "code")
