"""Search (issue 14): every write path fills the search text; authors, units, relevance,
the unit filter, and on PostgreSQL a trigram index instead of a scan per word."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from initiatives import selectors
from initiatives.filters import LibraryFilter
from initiatives.models import Initiative, InitiativeAuthor
from initiatives.search import fold, search
from rankings.demo import seed_rankings_demo
from tests.initiatives.submission_helpers import make_initiative

pytestmark = pytest.mark.django_db


def found(q: str = "", **filters) -> list[str]:
    return list(
        LibraryFilter({"search": q, **filters}, queryset=selectors.public_library()).qs.values_list(
            "title", flat=True
        )
    )


@pytest.fixture
def library(country, personas):
    def approved(title, **kwargs):
        return make_initiative(
            entered_by=personas.worker_a,
            state="approved",
            reviewer=personas.reviewer_a,
            title=title,
            **kwargs,
        )

    return {
        "scattered": approved(
            "Cải tạo kho lạnh: sáng kiến của tổ bảo trì, tiến độ nhanh",
            unit=country.grassroots_a,
            description="Cải tạo kho, tiết kiệm điện.",
        ),
        "phrase": approved("Sáng kiến cải tiến máy cấp đông", unit=country.grassroots_a2),
        "hanoi": approved("Máy in Canon chạy êm", unit=country.grassroots_b),
    }


def test_fold_drops_accents_case_and_punctuation():
    assert fold("Sáng kiến, CẢI TIẾN!") == "sang kien cai tien"


def test_the_readmes_example_finds_the_phrase_first(library):
    titles = found("sang kien cai tien")
    assert titles[0] == "Sáng kiến cải tiến máy cấp đông"
    assert set(titles) == {
        "Sáng kiến cải tiến máy cấp đông",
        "Cải tạo kho lạnh: sáng kiến của tổ bảo trì, tiến độ nhanh",
    }


def test_sang_kien_alone_is_not_required_every_entry_is_one(library, country, personas):
    make_initiative(
        entered_by=personas.worker_a,
        state="approved",
        reviewer=personas.reviewer_a,
        title="Cải tiến bàn sơ chế tôm",
        unit=country.grassroots_a,
    )
    titles = found("Sáng kiến cải tiến")
    assert titles[0] == "Sáng kiến cải tiến máy cấp đông"
    assert "Cải tiến bàn sơ chế tôm" in titles
    # Alone, the words are searched for like any other.
    assert "Máy in Canon chạy êm" not in found("sang kien")


def test_search_finds_authors_and_units_by_name(library, country):
    assert set(found("nguyen van tam")) == {i.title for i in library.values()}
    assert found("benh vien can tho") == ["Sáng kiến cải tiến máy cấp đông"]
    assert found("Canon") == ["Máy in Canon chạy êm"]


def test_the_unit_filter_keeps_that_units_subtree(library, country, client_for):
    assert found(unit=country.grassroots_b.code) == ["Máy in Canon chạy êm"]
    html = (
        client_for(None)
        .get("/sang-kien/thu-vien/", {"tinh": country.province_a.code})
        .content.decode()
    )
    assert 'data-testid="unit-filter"' in html
    assert f'value="{country.upper_a.code}"' in html


def test_seeded_ranking_demo_rows_are_searchable(country, personas):
    assert seed_rankings_demo(today=timezone.localdate()) > 0
    assert not Initiative.objects.filter(search_text="").exists()


def test_renaming_authors_in_a_draft_updates_the_search_text(country, personas):
    draft = make_initiative(unit=country.grassroots_a, entered_by=personas.worker_a)
    assert InitiativeAuthor.objects.filter(initiative=draft).exists()
    assert "nguyen van tam" in draft.search_text


def test_postgresql_serves_the_word_filter_from_the_trigram_index(library):
    queryset = search(Initiative.objects.only("pk"), "cai tien")
    if connection.vendor != "postgresql":
        # SQLite: the fallback scan still answers.
        assert library["phrase"].pk in queryset.values_list("pk", flat=True)
        return
    # A few rows here: forbid the scan the planner would rightly pick for them.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = queryset.explain()
        cursor.execute("SET LOCAL enable_seqscan = on")
    assert "initiative_search_text_trgm" in plan
    assert "UPPER" not in plan
