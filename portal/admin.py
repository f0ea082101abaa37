from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from portal.models import RoleAssignment, User


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


# Django's own Vietnamese reads "Trang quản trị cho Django": name the portal instead.
admin.site.site_header = _("Quản trị Cổng Sáng kiến")
admin.site.site_title = _("Quản trị Cổng Sáng kiến")
admin.site.index_title = _("Quản trị hệ thống")
