from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import ApiToken, RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    raw_id_fields = ("unit",)
    extra = 0


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("full_name",)
    list_display = ("full_name", "email", "phone", "is_active", "is_staff")
    search_fields = ("full_name", "email", "phone")
    inlines = [RoleAssignmentInline]
    fieldsets = (
        (None, {"fields": ("email", "phone", "password")}),
        (_("Thông tin cá nhân"), {"fields": ("full_name", "date_of_birth", "job_title")}),
        (_("Quyền"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Thời gian"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "phone", "full_name", "password1", "password2"),
            },
        ),
    )


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "unit", "granted_at")
    list_filter = ("role",)
    raw_id_fields = ("user", "unit")
    search_fields = ("user__full_name", "unit__name")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created with `manage.py create_api_token` (the key is shown once);
    here they are only listed and revoked (deleted)."""

    list_display = ("prefix", "user", "name", "created_at", "expires_at", "last_used_at")
    search_fields = ("user__email", "user__phone", "name", "prefix")
    readonly_fields = ("user", "name", "prefix", "created_at", "expires_at", "last_used_at")
    exclude = ("key_hash", "password_digest")

    def has_add_permission(self, request):
        return False


# Plain-text DRF tokens are not used any more (HashedTokenAuthentication): no admin for them.
try:
    from rest_framework.authtoken.models import TokenProxy

    admin.site.unregister(TokenProxy)
except admin.sites.NotRegistered:
    pass


# Django's own Vietnamese reads "Trang quản trị cho Django": name the portal instead.
admin.site.site_header = _("Quản trị Cổng Sáng kiến")
admin.site.site_title = _("Quản trị Cổng Sáng kiến")
admin.site.index_title = _("Quản trị hệ thống")
