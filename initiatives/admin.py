from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from initiatives import fields as sections
from initiatives.models import Attachment, Field, Initiative, InitiativeAuthor, InitiativeEvent
from initiatives.services import initiative_admin_delete, initiative_admin_save, search_text_for


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin):
    """The list of fields of application (lĩnh vực) that the form offers."""

    list_display = ("name", "code", "is_active")
    list_editable = ("is_active",)
    list_filter = ("is_active",)
    search_fields = ("name", "code")
    prepopulated_fields = {"code": ("name",)}


class AuthorInline(admin.TabularInline):
    model = InitiativeAuthor
    extra = 0
    fields = (
        "full_name",
        "date_of_birth",
        "workplace",
        "job_title",
        "qualification",
        "contribution_percent",
        "user",
    )
    raw_id_fields = ("user",)


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ("original_name", "content_type", "size", "uploaded_by", "created_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # files are checked by content: add them through the site's form


class EventInline(admin.TabularInline):
    model = InitiativeEvent
    extra = 0
    fields = ("created_at", "transition", "from_status", "to_status", "actor", "reason")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # transitions go through the services, which record them


@admin.register(Initiative)
class InitiativeAdmin(SimpleHistoryAdmin):
    list_display = ("title", "status", "unit", "field", "is_confidential", "submitted_at")
    list_filter = ("status", "is_confidential", "participant_group", "field")
    search_fields = ("title", "external_id", "unit__code", "unit__name")
    list_select_related = ("unit", "field")
    raw_id_fields = ("unit", "owner", "entered_by", "claimed_by")
    # The workflow moves only through the services (FSM transitions with an event each).
    readonly_fields = (
        "status",
        "top_unit",
        "submitted_at",
        "decided_at",
        "copied_share",
        "copied_source_count",
        "created_at",
        "updated_at",
    )
    inlines = [AuthorInline, AttachmentInline, EventInline]
    date_hierarchy = "submitted_at"

    def save_model(self, request, obj, form, change):
        # The same path as every other write: search text, attribution and counters.
        initiative_admin_save(initiative=obj, actor=request.user)

    def delete_model(self, request, obj):
        initiative_admin_delete(initiative=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for initiative in queryset:
            initiative_admin_delete(initiative=initiative, actor=request.user)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The author inlines are saved after the initiative: their names are searched too.
        obj = form.instance
        type(obj).objects.filter(pk=obj.pk).update(search_text=search_text_for(obj))

    # The sections' form steps (`initiatives.fields`), then the workflow's own fields.
    fieldsets = (
        *(
            (
                None if step == 1 else sections.STEP_TITLES[step],
                {"fields": (*names, "top_unit") if step == 1 else names},
            )
            for step, names in sections.steps().items()
        ),
        (
            _("Quy trình"),
            {
                "fields": (
                    "status",
                    "submitted_at",
                    "decided_at",
                    "review_note",
                    "owner",
                    "entered_by",
                    "external_id",
                    "copied_share",
                    "copied_source_count",
                    "created_at",
                    "updated_at",
                )
            },
        ),
    )
