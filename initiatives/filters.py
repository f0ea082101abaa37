"""Filters of the initiatives API (django-filter). They narrow a queryset that the
selectors already scoped to the viewer; none of them widens it."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from federation.models import OrgUnit
from initiatives.models import Initiative, ParticipantGroup, Status
from initiatives.search import search
from portal.tenancy import subtree_q


class InitiativeFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, label=_("trạng thái"))
    unit = django_filters.CharFilter(
        method="filter_unit", label=_("mã đơn vị (gồm các đơn vị cấp dưới)")
    )
    field = django_filters.CharFilter(field_name="field__code", label=_("mã lĩnh vực"))
    participant_group = django_filters.ChoiceFilter(
        choices=ParticipantGroup.choices, label=_("nhóm đối tượng")
    )
    year = django_filters.NumberFilter(method="filter_year", label=_("năm nộp"))
    search = django_filters.CharFilter(
        method="filter_search", label=_("tìm theo tên, tóm tắt (không cần dấu)")
    )

    class Meta:
        model = Initiative
        fields = ["status", "unit", "field", "participant_group", "year", "search"]

    def filter_unit(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        unit = OrgUnit.objects.filter(code=value.strip()).only("tree_id", "lft", "rght").first()
        if unit is None:
            return queryset.none()
        return queryset.filter(subtree_q([unit], "unit"))

    def filter_year(self, queryset: QuerySet, name: str, value) -> QuerySet:
        year = int(value)
        if not 1990 < year < 2200:
            return queryset.none()
        zone = timezone.get_current_timezone()
        return queryset.filter(
            submitted_at__gte=dt.datetime(year, 1, 1, tzinfo=zone),
            submitted_at__lt=dt.datetime(year + 1, 1, 1, tzinfo=zone),
        )

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # search_text holds only what anyone may read, so confidential text never matches.
        return search(queryset, value)
