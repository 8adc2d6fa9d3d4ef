from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from tongxin.accounts.models import ApiToken, Role, RoleAssignment, User
from tongxin.core.admin_audit import AuditedAdmin
from tongxin.core.audit import audit


class AssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    raw_id_fields = ("org", "area")


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("同心"), {"fields": ("display_name", "member")}),
    )
    raw_id_fields = ("member",)
    inlines = [AssignmentInline]
    list_display = ("username", "display_name", "is_staff", "is_active")

    def user_change_password(self, request, id, form_url=""):
        """Django's password page does not go through save_model: audit it here."""
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = User.objects.get(pk=id)
            audit(actor=request.user, action="admin.password_reset", obj=user)
        return response


@admin.register(Role)
class RoleAdmin(AuditedAdmin):
    list_display = ("code", "name")


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdmin):
    # Tokens are created on the user's own page (我的), where the key is shown once.
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("user", "name", "prefix", "key_hash", "created_at", "last_used_at")

    def has_add_permission(self, request):
        return False
