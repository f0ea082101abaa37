import datetime as dt

import pytest
from django.core.management import call_command

from federation.models import EmulationGroup, EmulationMembership, OrgUnit, ReorgEvent, UnitKind
from federation.national_structure import MERGER_DATE


def provinces_active_on(day: dt.date):
    return [u for u in OrgUnit.objects.filter(kind=UnitKind.PROVINCE) if u.is_active_on(day)]


@pytest.mark.django_db
def test_loads_63_provinces_before_and_34_after_the_merger():
    call_command("load_national_structure")
    assert len(provinces_active_on(MERGER_DATE - dt.timedelta(days=1))) == 63
    assert len(provinces_active_on(MERGER_DATE)) == 34
    assert ReorgEvent.objects.filter(kind=ReorgEvent.Kind.MERGE).count() == 52


@pytest.mark.django_db
def test_merged_provinces_point_at_their_successor_with_official_codes():
    call_command("load_national_structure")
    hau_giang = OrgUnit.objects.get(short_name="Hậu Giang")
    can_tho = OrgUnit.objects.get(short_name="Cần Thơ", active_to__isnull=True)
    assert hau_giang.merged_into == can_tho
    assert hau_giang.active_to == dt.date(2025, 6, 30)
    assert can_tho.official_code == "92"
    assert set(can_tho.merged_units.values_list("short_name", flat=True)) == {
        "Cần Thơ",
        "Sóc Trăng",
        "Hậu Giang",
    }
    # Unchanged provinces are one continuous unit.
    ha_noi = OrgUnit.objects.get(short_name="Hà Nội")
    assert ha_noi.active_to is None and ha_noi.merged_into is None and ha_noi.code == "LDLD01"


@pytest.mark.django_db
def test_clusters_before_and_after_the_merger():
    call_command("load_national_structure")
    mekong = EmulationGroup.objects.get(code="CUM-DBSCL")
    assert mekong.memberships.filter(year=2024).count() == 12
    names_2026 = set(
        mekong.memberships.filter(year=2026).values_list("unit__short_name", flat=True)
    )
    assert {"Cần Thơ", "An Giang", "Cà Mau", "Vĩnh Long", "Đồng Tháp"} <= names_2026
    # Every province active in 2026 competes in exactly one cluster.
    active = {u.pk for u in provinces_active_on(dt.date(2026, 1, 1))}
    in_clusters = set(
        EmulationMembership.objects.filter(year=2026, group__kind="cluster").values_list(
            "unit_id", flat=True
        )
    )
    assert in_clusters == active
    assert EmulationGroup.objects.get(code="KHOI-NGANH").memberships.filter(year=2026).count() >= 5


@pytest.mark.django_db
def test_loading_twice_changes_nothing():
    call_command("load_national_structure")
    count = OrgUnit.objects.count()
    call_command("load_national_structure")
    assert OrgUnit.objects.count() == count


def test_province_code_files_agree_with_each_other():
    """The repo's own data files: unique codes per period, every mapped name known."""
    from federation.national_structure import (
        DEFAULT_MAPPING_CSV,
        name_key,
        post_merger_provinces,
        pre_merger_provinces,
        read_mapping,
    )

    before, after = pre_merger_provinces(), post_merger_provinces()
    assert (len(before), len(after)) == (63, 34)
    for period in (before, after):
        assert len({p.official_code for p in period}) == len(period)
    mapping = read_mapping(DEFAULT_MAPPING_CSV)
    assert {name_key(n) for n in mapping} == {name_key(p.name) for p in before}
    assert {name_key(n) for n in mapping.values()} == {name_key(p.name) for p in after}
