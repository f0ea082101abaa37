from django.contrib import admin
from mptt.admin import MPTTModelAdmin

from federation.models import (
    EmulationGroup,
    EmulationMembership,
    OrgUnit,
    ReorgEvent,
    UnitPlacement,
)


@admin.register(OrgUnit)
class OrgUnitAdmin(MPTTModelAdmin):
    list_display = ("name", "code", "kind", "member_count", "active_from", "active_to")
    list_filter = ("kind", "level")
    search_fields = ("name", "code", "short_name")
    mptt_level_indent = 16
    list_per_page = 100

    def get_readonly_fields(self, request, obj=None):
        # Moves and merges are events with dates: they go through the reorganisation page.
        if obj is not None:
            return ("parent", "merged_into", "active_to")
        return ()


@admin.register(ReorgEvent)
class ReorgEventAdmin(admin.ModelAdmin):
    list_display = ("effective_date", "kind", "unit", "target", "actor")
    list_filter = ("kind",)
    search_fields = ("unit__name", "unit__code")
    raw_id_fields = ("unit", "target", "previous_parent")

    def has_change_permission(self, request, obj=None):
        return False  # history is not edited


@admin.register(UnitPlacement)
class UnitPlacementAdmin(admin.ModelAdmin):
    list_display = ("unit", "parent", "valid_from", "valid_to")
    raw_id_fields = ("unit", "parent")

    def has_change_permission(self, request, obj=None):
        return False


class EmulationMembershipInline(admin.TabularInline):
    model = EmulationMembership
    raw_id_fields = ("unit",)
    extra = 0


@admin.register(EmulationGroup)
class EmulationGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind")
    inlines = [EmulationMembershipInline]
