import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from core.tabular import numbered
from federation import selectors, services
from federation.models import OrgUnit, ReorgEvent
from initiatives.models import Initiative, ParticipantGroup
from tests.factories import UnitFactory, UnitKind, UserFactory

pytestmark = pytest.mark.django_db


def submitted_initiative(unit, author, title, day):
    return Initiative.objects.create(
        title=title,
        unit=unit,
        top_unit=unit.get_ancestors().filter(level=1).first(),
        entered_by=author,
        participant_group=ParticipantGroup.ENTERPRISE,
        status="submitted",
        submitted_at=dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC),
    )


def test_merge_keeps_earlier_initiatives_attributed_and_rolls_them_up_under_the_new_unit(country):
    author = UserFactory()
    # Two provinces merge into a new one, as Cần Thơ, Sóc Trăng and Hậu Giang did in 2025.
    soc_trang = UnitFactory(code="LDLD94-63", kind=UnitKind.PROVINCE, parent=country.root)
    soc_trang_grassroots = UnitFactory(code="ST-G01", parent=soc_trang)
    before = submitted_initiative(
        soc_trang_grassroots, author, "Cải tiến máy bóc vỏ tôm", dt.date(2024, 5, 2)
    )
    merged = UnitFactory(
        code="LDLD92-NEW",
        kind=UnitKind.PROVINCE,
        parent=country.root,
        active_from=dt.date(2025, 7, 1),
    )

    services.unit_merge(
        sources=[soc_trang, country.province_a], target=merged, effective_date=dt.date(2025, 7, 1)
    )

    before.refresh_from_db()
    assert before.unit == soc_trang_grassroots  # nothing rewritten
    assert before.top_unit == soc_trang
    soc_trang.refresh_from_db()
    assert soc_trang.merged_into == merged and soc_trang.active_to == dt.date(2025, 6, 30)
    # Today's tree: the grassroots unit now sits under the new province.
    today = selectors.top_level_map(
        unit_ids=[soc_trang_grassroots.pk, country.grassroots_a.pk, soc_trang.pk]
    )
    assert today == {
        soc_trang_grassroots.pk: merged.pk,
        country.grassroots_a.pk: merged.pk,
        soc_trang.pk: merged.pk,
    }
    # The tree as it stood before the merger: under the old provinces.
    then = selectors.top_level_map(
        as_of=dt.date(2025, 6, 30), unit_ids=[soc_trang_grassroots.pk, country.grassroots_a.pk]
    )
    assert then == {
        soc_trang_grassroots.pk: soc_trang.pk,
        country.grassroots_a.pk: country.province_a.pk,
    }
    assert ReorgEvent.objects.filter(kind="merge", target=merged).count() == 2


def test_move_records_history_and_the_old_tree_is_still_answerable(country):
    services.unit_move(
        unit=country.upper_a, new_parent=country.province_b, effective_date=dt.date(2026, 3, 1)
    )
    country.grassroots_a.refresh_from_db()
    assert country.grassroots_a.get_ancestors().filter(level=1).get() == country.province_b
    assert selectors.top_level_map(
        as_of=dt.date(2026, 2, 28), unit_ids=[country.grassroots_a.pk]
    ) == {country.grassroots_a.pk: country.province_a.pk}
    assert selectors.top_level_map(
        as_of=dt.date(2026, 3, 1), unit_ids=[country.grassroots_a.pk]
    ) == {country.grassroots_a.pk: country.province_b.pk}
    event = ReorgEvent.objects.get(kind="move", unit=country.upper_a)
    assert event.previous_parent == country.province_a


def test_cannot_move_a_unit_under_its_own_descendant(country):
    with pytest.raises(ValidationError) as error:
        services.unit_move(
            unit=country.province_a,
            new_parent=country.grassroots_a,
            effective_date=dt.date(2026, 1, 1),
        )
    assert services.MSG_MOVE_INTO_OWN_SUBTREE in str(error.value)
    country.province_a.refresh_from_db()
    assert country.province_a.parent == country.root


def test_rename_and_close_are_events(country):
    services.unit_rename(
        unit=country.grassroots_a,
        name="Công đoàn Công ty CP Thủy sản Bình An",
        effective_date=dt.date(2026, 1, 1),
    )
    services.unit_close(unit=country.grassroots_a2, effective_date=dt.date(2026, 2, 1))
    rename = ReorgEvent.objects.get(kind="rename")
    assert rename.previous_name == "Công đoàn Công ty Thủy sản Bình An"
    assert OrgUnit.objects.get(pk=country.grassroots_a2.pk).active_to == dt.date(2026, 1, 31)
    with pytest.raises(ValidationError):
        services.unit_close(unit=country.grassroots_a2, effective_date=dt.date(2026, 3, 1))


def test_import_all_or_nothing_reports_every_bad_row_and_creates_nothing(country, personas):
    from accounts.tenancy import UNIT_ADMIN_ROLES, scope_for

    scope = scope_for(personas.officer_a, UNIT_ADMIN_ROLES)
    rows = [
        {
            "code": "N1",
            "name": "Công đoàn A",
            "parent_code": "LDLD92-U01",
            "kind": "grassroots",
            "members": "120",
        },
        {
            "code": "N2",
            "name": "",
            "parent_code": "LDLD92-U01",
            "kind": "Công đoàn cơ sở",
            "members": "50",
        },
        {
            "code": "N3",
            "name": "Công đoàn C",
            "parent_code": "LDLD01",
            "kind": "grassroots",
            "members": "-4",
        },
        {
            "code": "N4",
            "name": "Công đoàn D",
            "parent_code": "N1",
            "kind": "cong doan co so",
            "members": "7",
        },
    ]
    report = services.units_import(rows=numbered(rows), scope=scope, all_or_nothing=True)
    assert report.error_rows == [3, 4]
    assert {(e.row, e.field) for e in report.errors} == {
        (3, "name"),
        (4, "members"),
        (4, "parent_code"),
    }
    assert not OrgUnit.objects.filter(code__in=["N1", "N2", "N3", "N4"]).exists()

    report = services.units_import(rows=numbered(rows), scope=scope, all_or_nothing=False)
    assert report.created == 2
    assert OrgUnit.objects.get(code="N4").parent.code == "N1"
