"""REST API over initiatives (/api/v1/initiatives/).

Every queryset comes from `initiatives.selectors` with the caller as viewer, so an
initiative outside the caller's reach answers 404 like one that does not exist.
A confidential initiative's text is hidden exactly as on the pages
(`selectors.confidential_text_readable_q` / `can_read_confidential_text`).
Writes go through `initiatives.services`.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import BooleanField, ExpressionWrapper, Prefetch
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error

from accounts.tenancy import OFFICER_ROLES, scope_for
from initiatives import selectors, services
from initiatives.filters import InitiativeFilter
from initiatives.models import Initiative, InitiativeAuthor
from initiatives.serializers import (
    AttachmentSerializer,
    AttachmentUploadSerializer,
    EventSerializer,
    InitiativeSerializer,
    InitiativeWriteSerializer,
    RecognitionSerializer,
)

MSG_NOT_EDITABLE = services.MSG_NOT_EDITABLE
MSG_CANNOT_EDIT = gettext_noop("Bạn không có quyền sửa hoặc nộp sáng kiến này.")
MSG_ALREADY_SUBMITTED = gettext_noop("Sáng kiến đã được nộp (trạng thái “{status}”).")
MSG_CONFIDENTIAL_FILES = gettext_noop(
    "Sáng kiến mật: tệp đính kèm chỉ dành cho tác giả và cán bộ, người duyệt của đơn vị."
)


def _as_drf_error(exc: DjangoValidationError) -> ValidationError:
    return ValidationError(as_serializer_error(exc))


@extend_schema_view(
    list=extend_schema(summary=_("Sáng kiến trong phạm vi của bạn")),
    retrieve=extend_schema(summary=_("Một sáng kiến")),
    create=extend_schema(
        summary=_("Tạo bản nháp"),
        request=InitiativeWriteSerializer,
        responses={201: InitiativeSerializer},
    ),
    update=extend_schema(
        summary=_("Sửa bản nháp hoặc sáng kiến bị trả lại"),
        request=InitiativeWriteSerializer,
        responses={200: InitiativeSerializer},
    ),
    partial_update=extend_schema(
        summary=_("Sửa một phần bản nháp hoặc sáng kiến bị trả lại"),
        request=InitiativeWriteSerializer,
        responses={200: InitiativeSerializer},
    ),
)
class InitiativeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Initiatives the caller may see: their unit's subtree, or their own."""

    serializer_class = InitiativeSerializer
    filterset_class = InitiativeFilter
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def get_queryset(self):
        viewer = self.request.user
        readable = ExpressionWrapper(
            selectors.confidential_text_readable_q(viewer), output_field=BooleanField()
        )
        birth_dates = ExpressionWrapper(
            selectors.birth_dates_readable_q(viewer), output_field=BooleanField()
        )
        return (
            selectors.initiative_list(viewer=viewer)
            .annotate(text_readable=readable, birth_dates_readable=birth_dates)
            .prefetch_related(
                Prefetch("authors", queryset=InitiativeAuthor.objects.order_by("position", "id"))
            )
        )

    def _reloaded(self, initiative: Initiative) -> Initiative:
        return self.get_queryset().get(pk=initiative.pk)

    def _require_edit(self, initiative: Initiative) -> None:
        if not initiative.is_editable:
            raise ValidationError(
                {"detail": _(MSG_NOT_EDITABLE).format(status=initiative.get_status_display())}
            )
        if not selectors.can_edit(self.request.user, initiative):
            raise PermissionDenied(_(MSG_CANNOT_EDIT))

    def _write_serializer(self, **kwargs) -> InitiativeWriteSerializer:
        return InitiativeWriteSerializer(
            units=selectors.units_for_entry(viewer=self.request.user),
            context=self.get_serializer_context(),
            **kwargs,
        )

    def create(self, request, *args, **kwargs):
        serializer = self._write_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if not serializer.validated_data.get("authors"):
            raise ValidationError({"authors": [_(services.MSG_NO_AUTHOR)]})
        data = serializer.initiative_data()
        # A member entering their own initiative owns it; an officer entering for
        # someone else leaves the owner empty (the author may have no account).
        if not scope_for(request.user, OFFICER_ROLES).contains(data["unit"]):
            data["owner"] = request.user
        try:
            initiative = services.initiative_save_draft(
                entered_by=request.user,
                data=data,
                authors=serializer.author_data(),
                client_token=serializer.validated_data.get("client_token"),
                actor=request.user,
            )
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from exc
        body = InitiativeSerializer(self._reloaded(initiative)).data
        return Response(body, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        initiative = self.get_object()
        self._require_edit(initiative)
        serializer = self._write_serializer(
            instance=initiative, data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        try:
            services.initiative_save_draft(
                entered_by=initiative.entered_by,
                data=serializer.initiative_data(),
                authors=serializer.author_data(),
                initiative=initiative,
                actor=request.user,
            )
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from exc
        return Response(InitiativeSerializer(self._reloaded(initiative)).data)

    @extend_schema(
        summary=_("Nộp sáng kiến (bắt đầu kiểm tra trùng lặp)"),
        request=None,
        responses={
            200: InitiativeSerializer,
            400: OpenApiResponse(description=_("Chưa đủ điều kiện nộp")),
            409: OpenApiResponse(description=_("Đã nộp")),
        },
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        initiative = self.get_object()
        if not initiative.is_editable:
            return Response(
                {"detail": _(MSG_ALREADY_SUBMITTED).format(status=initiative.get_status_display())},
                status=status.HTTP_409_CONFLICT,
            )
        self._require_edit(initiative)
        try:
            services.initiative_submit(initiative=initiative, actor=request.user)
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from exc
        return Response(InitiativeSerializer(self._reloaded(initiative)).data)

    def _recognise(self, request, initiatives) -> Response:
        decision = RecognitionSerializer(data=request.data)
        decision.is_valid(raise_exception=True)
        try:
            recognised = services.initiatives_recognise(
                initiatives=initiatives, actor=request.user, decision=decision.decision()
            )
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from exc
        body = InitiativeSerializer([self._reloaded(i) for i in recognised], many=True).data
        return Response(body)

    @extend_schema(
        operation_id="v1_initiatives_recognise_one",
        summary=_("Ghi quyết định công nhận (một sáng kiến hợp lệ hoặc đã duyệt)"),
        request=RecognitionSerializer,
        responses={200: InitiativeSerializer(many=True)},
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def recognise(self, request, pk=None):
        # Only the officers of the unit or above, and only valid or approved ones: 404 else.
        initiative = selectors.recognisable_initiatives(viewer=request.user).filter(pk=pk).first()
        if initiative is None:
            raise Http404
        return self._recognise(request, [initiative])

    @extend_schema(
        operation_id="v1_initiatives_recognise_many",
        summary=_("Ghi một quyết định công nhận cho nhiều sáng kiến (ids)"),
        request=RecognitionSerializer,
        responses={200: InitiativeSerializer(many=True)},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="recognise",
        filterset_class=None,
        pagination_class=None,
    )
    def recognise_many(self, request):
        ids = request.data.get("ids") or []
        if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
            raise ValidationError({"ids": [_(services.MSG_RECOGNITION_NOTHING)]})
        found = list(
            selectors.recognisable_initiatives(viewer=request.user)
            .filter(pk__in=ids)
            .order_by("pk")
        )
        if len(found) != len(set(ids)):
            raise Http404  # one is out of reach or not recognisable: nothing is recorded
        return self._recognise(request, found)

    @extend_schema(summary=_("Lịch sử xử lý"), responses=EventSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def history(self, request, pk=None):
        initiative = self.get_object()
        events = initiative.events.select_related("actor").order_by("created_at", "id")
        data = EventSerializer(events, many=True).data
        if not initiative.text_readable:
            for event in data:
                event["reason"] = ""  # a reviewer's reason may quote the secret text
        return Response(data)

    @extend_schema(
        methods=["GET"],
        summary=_("Tệp đính kèm"),
        request=None,
        responses=AttachmentSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary=_("Thêm tệp đính kèm (PDF, DOCX, XLSX, JPEG, PNG; kiểm tra theo nội dung)"),
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[MultiPartParser, FormParser],
        pagination_class=None,
        filterset_class=None,
    )
    def attachments(self, request, pk=None):
        initiative = self.get_object()
        if not initiative.text_readable:
            raise PermissionDenied(_(MSG_CONFIDENTIAL_FILES))
        if request.method == "GET":
            return Response(AttachmentSerializer(initiative.attachments.all(), many=True).data)
        self._require_edit(initiative)
        upload = AttachmentUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        try:
            attachment = services.attachment_add(
                initiative=initiative,
                uploaded_file=upload.validated_data["file"],
                uploaded_by=request.user,
            )
        except DjangoValidationError as exc:
            raise ValidationError({"file": exc.messages}) from exc
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)
