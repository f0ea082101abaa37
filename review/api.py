"""API of the moderation queue, behind the same tenancy gate as the pages.

Out of the caller's review scope (or no review role at all): 404.
A decision that lost the race answers 409 with the reason in `detail`.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from initiatives.models import Initiative
from initiatives.services import MSG_REASON_REQUIRED
from review import selectors, services


class QueueItemSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code")
    unit_name = serializers.CharField(source="unit.name")
    field_name = serializers.CharField(source="field.name", default=None)
    claimed_by = serializers.SerializerMethodField()
    is_overdue = serializers.BooleanField()

    class Meta:
        model = Initiative
        fields = [
            "id",
            "title",
            "status",
            "unit_code",
            "unit_name",
            "field_name",
            "copied_share",
            "copied_source_count",
            "submitted_at",
            "is_overdue",
            "claimed_by",
            "claimed_until",
        ]

    def get_claimed_by(self, obj) -> str | None:
        return obj.claimed_by.full_name if getattr(obj, "claim_active", False) else None


class QueueView(generics.ListAPIView):
    """The caller's queue, riskiest first; filters: unit, field, kind (archive|web), age, mine."""

    serializer_class = QueueItemSerializer
    filter_backends: list = []

    def get_queryset(self):
        scope = selectors.review_scope(self.request.user)
        if scope.is_empty:
            raise Http404
        filters = selectors.QueueFilters.from_params(self.request.query_params, scope=scope)
        self.queue, items = selectors.queue_list(viewer=self.request.user, filters=filters)
        return items

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        selectors.mark_overdue(page, self.queue.policy_units)
        return page

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        response.data["counts"] = selectors.queue_counts(self.queue, viewer=request.user)
        return response


def _source_payload(evidence: selectors.SourceEvidence) -> dict:
    match = evidence.match
    payload = {
        "kind": match.source_kind,
        "coverage": match.coverage,
        "score": match.score,
        "same_author": match.same_author,
        "author_name_warning": match.author_name_warning,
        "quotation": evidence.quotation,
        "confidential": evidence.hidden,
        "passages": [{"start": p["start"], "end": p["end"]} for p in match.passages],
        # Files whose OCR-read text holds a copied passage (recognition may err).
        "ocr_files": evidence.ocr_files,
    }
    if match.source_kind != "initiative":
        payload.update(url=match.source_url, title=match.source_title)
        return payload
    source = evidence.source
    unit = evidence.visible_to
    payload["title"] = source.title if source else match.source_title
    if evidence.hidden:
        # Only that it exists and whose reviewers may read it; never its text.
        payload["visible_to_reviewers_of"] = unit.name if unit else None
        return payload
    payload["passages"] = match.passages
    if source is not None:
        payload.update(
            id=source.pk,
            authors=evidence.authors,
            unit=source.unit.name,
            submitted_at=source.submitted_at,
            status=source.status,
            source_passages=[
                evidence.source_text[p["source_start"] : p["source_end"]] for p in match.passages
            ]
            if evidence.source_text
            else [],
        )
    return payload


class CaseView(APIView):
    """One item with its evidence: the checked text, and each source with its passages."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, summary="Hồ sơ và bằng chứng trùng lặp")
    def get(self, request, pk: int):
        initiative = selectors.case_get(viewer=request.user, pk=pk)
        case = selectors.case_evidence(viewer=request.user, initiative=initiative)
        return Response(
            {
                "id": initiative.pk,
                "title": initiative.title,
                "status": initiative.status,
                "unit": initiative.unit.name,
                "submitted_at": initiative.submitted_at,
                "copied_share": initiative.copied_share,
                "copied_source_count": initiative.copied_source_count,
                "authors": case.authors,
                "checked_text": case.check.checked_text if case.check else "",
                "sources": [_source_payload(e) for e in case.sources],
                "history": [
                    {
                        "transition": e.transition,
                        "from": e.from_status,
                        "to": e.to_status,
                        "actor": e.actor.full_name if e.actor else None,
                        "reason": e.reason,
                        "at": e.created_at,
                    }
                    for e in case.events
                ],
            }
        )


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=services.DECISIONS)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class DecideView(APIView):
    @extend_schema(
        request=DecisionSerializer,
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT},
        summary="Phê duyệt, từ chối hoặc trả lại",
    )
    def post(self, request, pk: int):
        initiative = selectors.case_get(viewer=request.user, pk=pk)
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decision, reason = data.validated_data["decision"], data.validated_data["reason"]
        if decision in ("reject", "return") and not reason.strip():
            return Response(
                {"reason": [_(MSG_REASON_REQUIRED)]}, status=status.HTTP_400_BAD_REQUEST
            )
        try:
            decided = services.review_decide(
                initiative=initiative, reviewer=request.user, decision=decision, reason=reason
            )
        except ValidationError as error:
            return Response({"detail": " ".join(error.messages)}, status=status.HTTP_409_CONFLICT)
        return Response({"id": decided.pk, "status": decided.status})


class ClaimView(APIView):
    @extend_schema(
        request=None,
        responses={200: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT},
        summary="Nhận xử lý một sáng kiến",
    )
    def post(self, request, pk: int):
        initiative = selectors.case_get(viewer=request.user, pk=pk)
        try:
            claimed = services.review_claim(initiative=initiative, reviewer=request.user)
        except ValidationError as error:
            return Response({"detail": " ".join(error.messages)}, status=status.HTTP_409_CONFLICT)
        return Response(
            {
                "id": claimed.pk,
                "claimed_by": request.user.full_name,
                "claimed_until": timezone.localtime(claimed.claimed_until),
            }
        )
