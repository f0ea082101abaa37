"""The one set of filters of an initiative list (django-filter), used by the pages
(`/sang-kien/danh-sach/`, the public library) and the API alike.

Filters narrow a queryset that the selectors already scoped to the viewer; none of
them widens it. The API names its parameters in English (`?status=&unit=`); the pages
keep their Vietnamese ones (`?trang_thai=&don_vi=`), mapped onto the same filters by
`InitiativeFilter.from_page`.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import django_filters
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.tenancy import subtree_q
from core.parsing import query_text
from federation.models import OrgUnit
from initiatives.models import Initiative, ParticipantGroup, Status
from initiatives.search import search

FIRST_YEAR, LAST_YEAR = 1991, 2199
SEARCH_MAX_CHARS = 200

# A page's query parameter -> the filter it sets.
PAGE_PARAMETERS = {
    "q": "search",
    "trang_thai": "status",
    "linh_vuc": "field",
    "don_vi": "unit",
    "tinh": "province",
    "nam": "year",
    "nhom": "participant_group",
}


class InitiativeFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, label=_("trạng thái"))
    unit = django_filters.CharFilter(
        method="filter_unit", label=_("mã đơn vị (gồm các đơn vị cấp dưới)")
    )
    province = django_filters.CharFilter(
        method="filter_province", label=_("mã đơn vị trực thuộc Tổng Liên đoàn")
    )
    field = django_filters.CharFilter(field_name="field__code", label=_("mã lĩnh vực"))
    participant_group = django_filters.ChoiceFilter(
        choices=ParticipantGroup.choices, label=_("nhóm đối tượng")
    )
    year = django_filters.NumberFilter(method="filter_year", label=_("năm nộp"))
    # Last: the search orders by relevance, after every other filter narrowed the list.
    search = django_filters.CharFilter(
        method="filter_search", label=_("tìm theo tên, tóm tắt (không cần dấu)")
    )

    class Meta:
        model = Initiative
        fields = ["status", "unit", "province", "field", "participant_group", "year", "search"]

    @classmethod
    def from_page(cls, params, queryset: QuerySet) -> InitiativeFilter:
        """The filters of a page's query string (Vietnamese parameter names)."""
        data = QueryDict(mutable=True)
        for page_name, name in PAGE_PARAMETERS.items():
            values = [v for v in params.getlist(page_name) if v.strip()]
            if name == "search":
                values = [query_text(params, page_name, max_length=SEARCH_MAX_CHARS)]
            if any(values):
                data.setlist(name, values)
        return cls(data, queryset=queryset)

    def page_values(self) -> SimpleNamespace:
        """What the page's filter form shows again: the values that were applied."""
        cleaned = self.form.cleaned_data if self.is_valid() else {}
        statuses = cleaned.get("status") or []
        year = cleaned.get("year")
        return SimpleNamespace(
            q=cleaned.get("search") or "",
            status=statuses[0] if statuses else "",
            field=cleaned.get("field") or "",
            unit=cleaned.get("unit") or "",
            province=cleaned.get("province") or "",
            year=int(year) if year is not None else None,
            participant_group=cleaned.get("participant_group") or "",
        )

    def _subtree_of(self, queryset: QuerySet, code: str, *, level: int | None = None):
        units = OrgUnit.objects.filter(code=code.strip()).only("tree_id", "lft", "rght", "level")
        unit = units.first()
        if unit is None or (level is not None and unit.level != level):
            return queryset.none()
        return queryset.filter(subtree_q([unit], "unit"))

    def filter_unit(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return self._subtree_of(queryset, value)

    def filter_province(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return self._subtree_of(queryset, value, level=1)

    def filter_year(self, queryset: QuerySet, name: str, value) -> QuerySet:
        year = int(value)
        if not FIRST_YEAR <= year <= LAST_YEAR:
            return queryset.none()
        zone = timezone.get_current_timezone()
        return queryset.filter(
            submitted_at__gte=dt.datetime(year, 1, 1, tzinfo=zone),
            submitted_at__lt=dt.datetime(year + 1, 1, 1, tzinfo=zone),
        )

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # search_text holds only what anyone may read, so confidential text never matches.
        return search(queryset, value)


class LibraryFilter(InitiativeFilter):
    """The public library: every filter but the status (it shows approved work only)."""

    status = None

    class Meta(InitiativeFilter.Meta):
        fields = [f for f in InitiativeFilter.Meta.fields if f != "status"]
