"""The real 2025 merger replayed: Sóc Trăng + Hậu Giang + Cần Thơ → the new Cần Thơ on
01/07/2025 (from `federation/data/provinces_2025.csv`), with initiatives handed in
before and after that date, counted "as the tree stood then" and "by today's tree"."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import Workbook

from accounts.tenancy import OFFICER_ROLES, scope_for
from federation.models import OrgUnit, UnitKind
from federation.national_structure import MERGER_DATE, load_national_structure
from federation.selectors import top_level_map
from federation.services import unit_move
from initiatives import importing
from initiatives import services as initiative_services
from initiatives.importing import RowSource, import_initiatives
from initiatives.models import Field, Initiative
from rankings import periods, selectors, services
from rankings.models import RankingMode
from tests.factories import Role, UnitFactory, UserFactory, decree_columns, decree_fields, grant

pytestmark = pytest.mark.django_db


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))


class Mekong:
    """The three provinces of the new Cần Thơ, each with a grassroots union."""

    def __init__(self):
        load_national_structure()
        self.soc_trang = OrgUnit.objects.get(short_name="Sóc Trăng")
        self.hau_giang = OrgUnit.objects.get(short_name="Hậu Giang")
        self.can_tho_old = OrgUnit.objects.get(short_name="Cần Thơ", active_to__isnull=False)
        self.can_tho = OrgUnit.objects.get(short_name="Cần Thơ", active_to__isnull=True)
        self.grassroots = {}
        for old, code in (
            (self.soc_trang, "ST"),
            (self.hau_giang, "HG"),
            (self.can_tho_old, "CT"),
        ):
            old.refresh_from_db()
            upper = UnitFactory(
                code=f"{code}-KV", name=f"Công đoàn khu vực {code}", kind=UnitKind.UPPER, parent=old
            )
            upper.refresh_from_db()
            self.grassroots[code] = UnitFactory(code=f"{code}-G1", parent=upper)
            # The merger moved each old province's sub-units under the new Cần Thơ.
            upper.refresh_from_db()
            self.can_tho.refresh_from_db()
            unit_move(unit=upper, new_parent=self.can_tho, effective_date=MERGER_DATE)
        # A grassroots union entered under the new Cần Thơ with no earlier history.
        self.can_tho.refresh_from_db()
        self.grassroots["NEW"] = UnitFactory(code="CT-MOI-G1", parent=self.can_tho)
        self.field = Field.objects.create(code="co-khi", name="Cơ khí")
        self.officer = UserFactory(email="quantri@example.vn")
        grant(self.officer, Role.ADMIN, OrgUnit.objects.get(level=0))

    def submit(self, code: str, day: dt.date, *, benefit: int = 0) -> Initiative:
        draft = initiative_services.initiative_save_draft(
            entered_by=self.officer,
            data={
                **decree_fields(),
                "title": f"Sáng kiến {code} {day:%d/%m/%Y}",
                "participant_group": "enterprise",
                "unit": self.grassroots[code],
                "field": self.field,
                "benefit_vnd": Decimal(benefit),
            },
            authors=[initiative_services.AuthorData("Nguyễn Văn A", Decimal(100))],
        )
        initiative = initiative_services.initiative_submit(
            initiative=draft, actor=self.officer, submitted_at=at(day)
        )
        return initiative_services.initiative_record_check(
            initiative=initiative, flagged=False, copied_share=0.0, source_count=0
        )


@pytest.fixture
def mekong() -> Mekong:
    return Mekong()


def import_hau_giang_2024(mekong: Mekong) -> Initiative:
    """An archive import, dated 10/03/2024, of an initiative from Hậu Giang."""
    columns = [*importing.TEMPLATE_COLUMNS]
    values = {
        "external_id": "HG-2024-1",
        "title": "Cải tiến máy bóc vỏ",
        "content": "Thay dao bóc vỏ bằng dao hợp kim.",
        "author_name": "Trần Văn B",
        "unit_code": "HG-G1",
        "submitted_at": "10/03/2024",
        "participant_group": "enterprise",
        **decree_columns(field="co-khi"),
    }
    book = Workbook()
    book.active.append(columns)
    book.active.append([values.get(c, "") for c in columns])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    report = import_initiatives(
        source=RowSource(buffer, "luu-tru.xlsx"),
        actor=mekong.officer,
        scope=scope_for(mekong.officer, OFFICER_ROLES),
        all_or_nothing=False,
    )
    assert report.created == 1, report.errors
    return Initiative.objects.get(external_id="HG-2024-1")


def test_the_tree_of_a_date_finds_a_province_for_every_grassroots_union_of_can_tho(mekong):
    before = top_level_map(as_of=dt.date(2025, 6, 1))
    assert before[mekong.grassroots["ST"].pk] == mekong.soc_trang.pk
    assert before[mekong.grassroots["HG"].pk] == mekong.hau_giang.pk
    assert before[mekong.grassroots["CT"].pk] == mekong.can_tho_old.pk
    # No history before the merger: it stands under the old province of the same name.
    assert before[mekong.grassroots["NEW"].pk] == mekong.can_tho_old.pk
    after = top_level_map(as_of=dt.date(2025, 7, 1))
    assert {after[g.pk] for g in mekong.grassroots.values()} == {mekong.can_tho.pk}
    ids = [g.pk for g in mekong.grassroots.values()]
    assert top_level_map(unit_ids=ids) == top_level_map(as_of=timezone.localdate(), unit_ids=ids)


def test_initiatives_count_for_their_province_of_the_day_in_both_modes(mekong):
    early = mekong.submit("ST", dt.date(2025, 3, 6), benefit=5_000_000)
    archived = import_hau_giang_2024(mekong)
    old_can_tho = mekong.submit("CT", dt.date(2025, 6, 30))
    no_history = mekong.submit("NEW", dt.date(2025, 5, 2))
    late = [
        mekong.submit("ST", dt.date(2025, 8, 15), benefit=1_000_000),
        mekong.submit("HG", dt.date(2025, 7, 1)),
    ]

    assert early.top_unit_id == mekong.soc_trang.pk
    assert archived.top_unit_id == mekong.hau_giang.pk
    assert old_can_tho.top_unit_id == mekong.can_tho_old.pk
    assert no_history.top_unit_id == mekong.can_tho_old.pk
    assert {i.top_unit_id for i in late} == {mekong.can_tho.pk}

    programme = periods.Period("all", dt.date(2024, 1, 1), dt.date(2026, 12, 31))

    def submitted(mode: str) -> dict[str, int]:
        ranking = selectors.national_ranking(period=programme, mode=mode)
        return {
            r.unit.code: r.submitted
            for r in ranking.rows
            if r.unit.pk
            in (mekong.soc_trang.pk, mekong.hau_giang.pk, mekong.can_tho_old.pk, mekong.can_tho.pk)
        }

    # As the tree stood then: each old province keeps what was handed in under it.
    assert submitted(RankingMode.HISTORIC) == {
        mekong.soc_trang.code: 1,
        mekong.hau_giang.code: 1,
        mekong.can_tho_old.code: 2,
        mekong.can_tho.code: 2,
    }
    # By today's tree: the new Cần Thơ holds everything, the old provinces do not compete.
    assert submitted(RankingMode.TODAY) == {mekong.can_tho.code: 6}

    # The first half of 2025 as the tree stood then: the new Cần Thơ did not exist yet.
    first_half = periods.Period("range", dt.date(2025, 1, 1), dt.date(2025, 6, 30))
    historic = selectors.national_ranking(period=first_half, mode=RankingMode.HISTORIC)
    codes = {r.unit.code: r.valid for r in historic.rows}
    assert mekong.can_tho.code not in codes
    assert codes[mekong.soc_trang.code] == 1 and codes[mekong.can_tho_old.code] == 2

    # And the counters agree with a full recount after all of it.
    assert not services.tally_reconcile(notify=False).drifted


def basis_of(html: str) -> str:
    """The line that says how a page counts: which tree, which measure."""
    match = re.search(
        r'<p class="basis" data-mode="(\w+)"[^>]*>.*?class="basis-mode">([^<]+)<'
        r'.*?class="basis-measure">([^<]+)<',
        html,
    )
    assert match, "the page does not say how it counts"
    # And what it counts: valid initiatives unless another measure was asked for.
    assert match[3].strip(), "the page does not name its measure"
    return f"{match[1]}: {match[2]}"


def test_every_page_says_which_tree_it_counts_by_and_offers_the_other(mekong, client):
    mekong.submit("ST", dt.date(2025, 3, 6))
    historic = client.get("/xep-hang/?mode=historic&period=all").content.decode()
    assert basis_of(historic) == f"historic: {RankingMode.HISTORIC.label}"
    assert re.search(r"LĐLĐ tỉnh Sóc Trăng.*?<td class=\"num\"[^>]*>1</td>", historic, re.S)
    today = client.get("/xep-hang/?period=all").content.decode()
    assert basis_of(today) == f"today: {RankingMode.TODAY.label}"
    assert "mode=historic" in today  # the link to the other way of counting

    recognition = client.get("/xep-hang/khen-thuong/?year=2025&quarter=1").content.decode()
    assert basis_of(recognition).startswith("historic")
    recognition = client.get("/xep-hang/khen-thuong/?year=2025&quarter=1&mode=today")
    assert basis_of(recognition.content.decode()).startswith("today")

    client.force_login(mekong.officer, backend="accounts.auth_backends.EmailOrPhoneBackend")
    for url in (
        "/xep-hang/bang-dieu-khien/?mode=historic",
        f"/xep-hang/don-vi/{mekong.can_tho.code}/?mode=historic",
        f"/xep-hang/don-vi/{mekong.can_tho.code}/tien-do/?mode=historic",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert basis_of(response.content.decode()).startswith("historic"), url
