"""REST serializers for initiatives. Thin: reading hides a confidential initiative's
text exactly as the pages do; writing validates shapes and hands over to the services."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.parsing import has_control_characters
from federation.models import OrgUnit
from initiatives import fields as sections
from initiatives.models import (
    Attachment,
    Field,
    Initiative,
    InitiativeAuthor,
    InitiativeEvent,
    ParticipantGroup,
    RecognitionLevel,
)
from initiatives.services import AuthorData

# Shown only when the viewer may read the initiative's text (see selectors' docstring).
BODY_FIELDS = sections.BODY_FIELDS
# What every reader gets, confidential or not: the public sections and the workflow facts.
READ_FACTS = (
    "id",
    "external_id",
    "title",
    "summary",
    "award",
    "is_confidential",
    "text_hidden",
    "status",
    "status_display",
    "unit",
    "unit_name",
    "field",
    "participant_group",
    "submitted_at",
    "decided_at",
    "review_note",
    "created_at",
    "updated_at",
)


class AuthorSerializer(serializers.ModelSerializer):
    class Meta:
        model = InitiativeAuthor
        fields = [
            "full_name",
            "contribution_percent",
            "date_of_birth",
            "workplace",
            "job_title",
            "qualification",
            "external_person_id",
        ]
        extra_kwargs = {"external_person_id": {"required": False}}


class InitiativeSerializer(serializers.ModelSerializer):
    """An initiative as the viewer may see it.

    `text_hidden` is True for a confidential initiative the viewer may not read:
    then only the public fields (title, summary, award) and the workflow facts are
    filled; every body field, the authors and the attachments are null/empty.
    The queryset annotates `text_readable` (one query for the whole page).
    """

    unit = serializers.CharField(source="unit.code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    field = serializers.CharField(
        source="field.code", default=None, read_only=True, allow_null=True
    )
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    text_hidden = serializers.SerializerMethodField()
    authors = serializers.SerializerMethodField()

    class Meta:
        model = Initiative
        fields = [
            *READ_FACTS,
            # Every other declared section (`initiatives.fields`): the body.
            *(name for name in sections.names() if name not in READ_FACTS),
            "authors",
        ]
        read_only_fields = fields

    @staticmethod
    def _readable(instance: Initiative) -> bool:
        return bool(getattr(instance, "text_readable", not instance.is_confidential))

    @extend_schema_field(serializers.BooleanField())
    def get_text_hidden(self, instance: Initiative) -> bool:
        return not self._readable(instance)

    @extend_schema_field(AuthorSerializer(many=True))
    def get_authors(self, instance: Initiative) -> list[dict]:
        if not self._readable(instance):
            return []
        authors = AuthorSerializer(instance.authors.all(), many=True).data
        # Dates of birth: the authors and their unit's officers only (the queryset's
        # `birth_dates_readable`); anyone else gets null.
        if not getattr(instance, "birth_dates_readable", False):
            for author in authors:
                author["date_of_birth"] = None
        return authors

    def to_representation(self, instance: Initiative) -> dict:
        data = super().to_representation(instance)
        if not self._readable(instance):
            for name in BODY_FIELDS:
                data[name] = None
            data["review_note"] = None
        return data


class StrictSlugRelatedField(serializers.SlugRelatedField):
    """A code looked up in the database only once it is plain text (core.parsing):
    a NUL in `unit` or `field` used to reach PostgreSQL and answer 500."""

    def to_internal_value(self, data):
        if not isinstance(data, str) or has_control_characters(data, multiline=False):
            self.fail("invalid")
        return super().to_internal_value(data)


def section_write_field(section: sections.Section) -> serializers.Field:
    """The optional API field for a section, shaped by its model field."""
    model_field = section.model_field
    if section.kind == sections.KIND_MONEY:
        return serializers.DecimalField(
            max_digits=model_field.max_digits,
            decimal_places=model_field.decimal_places,
            min_value=Decimal(0),
            required=False,
            allow_null=model_field.null,
        )
    if section.kind == sections.KIND_DATE:
        return serializers.DateField(required=False, allow_null=True)
    if section.kind == sections.KIND_FLAG:
        return serializers.BooleanField(required=False)
    if section.kind == sections.KIND_CHOICE:
        return serializers.ChoiceField(choices=model_field.choices, required=False)
    return serializers.CharField(
        max_length=model_field.max_length, required=False, allow_blank=True
    )


class InitiativeWriteSerializer(serializers.Serializer):
    """What a client may send to create or change a draft. Authors replace the old list."""

    title = serializers.CharField(max_length=500)
    unit = StrictSlugRelatedField(slug_field="code", queryset=OrgUnit.objects.none())
    field = StrictSlugRelatedField(
        slug_field="code",
        queryset=Field.objects.filter(is_active=True),
        required=False,
        allow_null=True,
    )
    participant_group = serializers.ChoiceField(choices=ParticipantGroup.choices)
    authors = AuthorSerializer(many=True, required=False)
    client_token = serializers.UUIDField(
        required=False,
        help_text=_("Gửi lại cùng mã này sẽ không tạo thêm sáng kiến (chống bấm hai lần)."),
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units

    def get_fields(self):
        """The fields declared above, then every other section of `initiatives.fields`."""
        declared = super().get_fields()
        derived = {
            section.name: section_write_field(section)
            for section in sections.SECTIONS
            if section.name not in declared
        }
        return {**declared, **derived}

    def validate(self, attrs):
        """The draft rules of `initiatives.validation`, as the form and imports apply them
        (completeness is checked on `submit`)."""
        from initiatives import services, validation

        request = self.context.get("request")
        unit = attrs.get("unit") or getattr(self.instance, "unit", None)
        previous_award = getattr(self.instance, "award", "") or ""
        values = {"award": previous_award, **attrs}
        authors = attrs.get("authors")
        problems = validation.draft_problems(
            values=values,
            authors=[
                AuthorData(
                    a["full_name"], a["contribution_percent"], date_of_birth=a.get("date_of_birth")
                )
                for a in authors
            ]
            if authors is not None
            else None,
            may_set_award=unit is not None
            and services.may_set_award(getattr(request, "user", None), unit),
            previous_award=previous_award,
        )
        if problems:
            errors: dict[str, list[str]] = {}
            for problem in problems:
                errors.setdefault(problem.field, []).append(problem.message)
            raise serializers.ValidationError(errors)
        return attrs

    def author_data(self) -> list[AuthorData] | None:
        """The authors sent, or None when a partial update leaves them as they are."""
        if "authors" not in self.validated_data:
            return None
        return [
            AuthorData(
                full_name=a["full_name"],
                contribution_percent=a["contribution_percent"],
                external_person_id=a.get("external_person_id", ""),
                date_of_birth=a.get("date_of_birth"),
                workplace=a.get("workplace", ""),
                job_title=a.get("job_title", ""),
                qualification=a.get("qualification", ""),
            )
            for a in self.validated_data.get("authors", [])
        ]

    def initiative_data(self) -> dict:
        return {
            k: v for k, v in self.validated_data.items() if k not in ("authors", "client_token")
        }


class EventSerializer(serializers.ModelSerializer):
    # Null for the system's own steps (the similarity check): documented as nullable.
    actor = serializers.CharField(
        source="actor.full_name", default=None, read_only=True, allow_null=True
    )
    # Plain strings: the values are those of `status` (StatusEnum) in the schema.
    from_status = serializers.CharField(read_only=True)
    to_status = serializers.CharField(read_only=True)

    class Meta:
        model = InitiativeEvent
        fields = ["transition", "from_status", "to_status", "actor", "reason", "created_at"]
        read_only_fields = fields


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = [
            "id",
            "original_name",
            "extension",
            "content_type",
            "size",
            "created_at",
            "url",
            "text_status",
            "text_problem",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_url(self, attachment: Attachment) -> str:
        from django.urls import NoReverseMatch, reverse

        kwargs = {"pk": attachment.initiative_id, "attachment_id": attachment.pk}
        try:
            return reverse("initiatives:attachment", kwargs=kwargs)
        except NoReverseMatch:  # before the pages' URLs were namespaced
            return reverse("initiative-attachment", kwargs=kwargs)


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class RecognitionSerializer(serializers.Serializer):
    """A recognition decision for one initiative (detail) or several (`ids`)."""

    ids = serializers.ListField(
        child=serializers.IntegerField(), required=False, max_length=1000, allow_empty=False
    )
    number = serializers.CharField(max_length=64, label=_("Số quyết định"))
    date = serializers.DateField(label=_("Ngày quyết định"))
    level = serializers.ChoiceField(choices=RecognitionLevel.choices, label=_("Cấp công nhận"))
    award = serializers.CharField(max_length=255, required=False, allow_blank=True)

    def decision(self):
        from initiatives.services import RecognitionDecision

        data = self.validated_data
        return RecognitionDecision(
            number=data["number"],
            date=data["date"],
            level=data["level"],
            award=data.get("award", ""),
        )
