"""Ranking API: the national figures are public like the leaderboard; below the top level,
the caller's scope decides (404 outside it)."""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.tenancy import scope_for
from core.parsing import ParseError, parse_int
from rankings import periods, selectors
from rankings.views import read_filters


class RankRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField(allow_null=True)
    previous_rank = serializers.IntegerField(allow_null=True)
    change = serializers.IntegerField(allow_null=True)
    code = serializers.CharField(source="unit.code")
    name = serializers.CharField(source="unit.name")
    kind = serializers.CharField(source="unit.kind")
    valid = serializers.IntegerField()
    submitted = serializers.IntegerField()
    recognised = serializers.IntegerField()
    # The count % of target, per 1,000 members and progress rest on ("valid" or "submitted").
    counted = serializers.CharField()
    count = serializers.IntegerField()
    benefit_vnd = serializers.DecimalField(max_digits=20, decimal_places=0)
    members = serializers.IntegerField()
    per_1000 = serializers.FloatField(allow_null=True)
    target = serializers.IntegerField(allow_null=True)
    target_pct = serializers.FloatField(allow_null=True)


class ProgressRowSerializer(RankRowSerializer):
    expected = serializers.IntegerField(allow_null=True)
    pace_per_week = serializers.IntegerField(allow_null=True)
    projected = serializers.IntegerField(allow_null=True)
    lagging = serializers.BooleanField()
    leading = serializers.BooleanField()


def _period_payload(period: periods.Period) -> dict:
    return {"kind": period.kind, "start": period.start, "end": period.end, "label": period.label}


def _measure_payload(measure: str) -> dict:
    """What the figures count, named as on the pages ("Tính theo: …")."""
    return {
        "measure": measure,
        "measure_label": str(selectors.MEASURES[measure]),
        "counted": selectors.counted_by(measure),
        "basis": str(selectors.MEASURE_BASIS[measure]),
    }


class RankingView(APIView):
    """National ranking (public). Query: period, year, quarter, week, start, end, category,
    group, measure, mode, participant_group, field."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        filters = read_filters(request)
        ranking = selectors.national_ranking(
            category=filters.category, group=filters.group, **filters.options()
        )
        return Response(
            {
                "period": _period_payload(ranking.period),
                "mode": ranking.mode,
                **_measure_payload(ranking.measure),
                "category": ranking.category,
                "group": ranking.group.code if ranking.group else None,
                "results": RankRowSerializer(ranking.rows, many=True).data,
            }
        )


class SeriesView(APIView):
    """Initiatives valid and handed in nationally per week (public)."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        filters = read_filters(request, default_period="year")
        series = selectors.weekly_series(period=filters.period)
        return Response(
            {
                "period": _period_payload(filters.period),
                "basis": str(selectors.MEASURE_BASIS["valid"]),
                "results": [
                    {"week": week, "valid": valid, "submitted": submitted}
                    for week, submitted, valid in series
                ],
            }
        )


class RecognitionView(APIView):
    """The quarterly recognition rule in every cluster and block (public)."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        today = timezone.localdate()
        try:
            params = request.query_params
            year = parse_int(params.get("year") or today.year, low=2000, high=2100)
            quarter = parse_int(params.get("quarter") or (today.month - 1) // 3 + 1, low=1, high=4)
            periods.quarter(year, quarter)
        except (ParseError, periods.PeriodError):
            return Response({"detail": periods.MSG_BAD_PERIOD}, status=400)
        count = selectors.count_or_default(params.get("measure"))
        result = selectors.quarterly_recognition(year=year, quarter=quarter, count=count)
        return Response(
            {
                "year": year,
                "quarter": quarter,
                **_measure_payload(count),
                "results": [
                    {
                        "group": item.group.code,
                        "group_name": item.group.name,
                        "leaders": RankRowSerializer(item.leaders, many=True).data,
                        "recognised": [r.unit.code for r in item.recognised],
                    }
                    for item in result
                ],
            }
        )


class _ScopedUnitView(APIView):
    permission_classes = [IsAuthenticated]

    def scope_and_unit(self, code: str):
        scope = scope_for(self.request.user, selectors.RANKING_ROLES)
        if scope.is_empty:
            raise Http404
        return scope, scope.get_unit_or_404(code=code)


class UnitRankingView(_ScopedUnitView):
    """A unit's sub-units ranked (drill-down), inside the caller's scope."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, code: str):
        scope, unit = self.scope_and_unit(code)
        filters = read_filters(request)
        rows = selectors.subunit_ranking(scope=scope, unit=unit, **filters.options())
        return Response(
            {
                "unit": unit.code,
                "period": _period_payload(filters.period),
                "mode": filters.mode,
                **_measure_payload(filters.measure),
                "results": RankRowSerializer(rows, many=True).data,
            }
        )


class UnitProgressView(_ScopedUnitView):
    """A unit's sub-units against their targets: lagging and leading. Query `measure`:
    `valid` (the default) or `submitted`, what counts toward the target."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, code: str):
        scope, unit = self.scope_and_unit(code)
        try:
            period = periods.parse(request.query_params, default="year")
        except periods.PeriodError as exc:
            return Response({"detail": str(exc)}, status=400)
        count = selectors.count_or_default(request.query_params.get("measure"))
        rows = selectors.progress_list(scope=scope, unit=unit, period=period, count=count)
        return Response(
            {
                "unit": unit.code,
                "period": _period_payload(period),
                **_measure_payload(count),
                "results": ProgressRowSerializer(rows, many=True).data,
            }
        )
