import pytest
from django.core import mail

from core.models import Notice
from initiatives.models import Status
from tests.review.helpers import (
    COPIED,
    add_match,
    archived_source,
    flagged_copy,
    make_check,
    make_initiative,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def source(country, personas):
    return archived_source(unit=country.grassroots_b, owner=personas.worker_b)


@pytest.fixture
def item(country, personas, source):
    return flagged_copy(
        unit=country.grassroots_a, owner=personas.worker_a, source=source, title="Cảm biến kho A"
    )


def test_queue_page_lists_the_reviewers_items_in_a_fixed_number_of_queries(
    country, personas, source, client_for, django_assert_max_num_queries
):
    for n in range(30):
        flagged_copy(
            unit=country.grassroots_a,
            owner=personas.worker_a,
            source=source,
            title=f"Sáng kiến A{n}",
        )
    make_initiative(unit=country.grassroots_b, owner=personas.worker_b, title="Sáng kiến của B")
    client = client_for(personas.reviewer_a)
    # ~11 for the page itself, the rest is the site shell (session, user, nav roles);
    # 30 rows would add 30+ queries if anything were fetched per row.
    with django_assert_max_num_queries(18):
        response = client.get("/duyet/")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('data-testid="queue-row"') == 30
    assert "Sáng kiến của B" not in body
    assert response.context["counts"]["total"] == 30


def test_case_page_shows_the_copied_passage_on_both_sides(item, source, personas, client_for):
    response = client_for(personas.reviewer_a).get(f"/duyet/{item.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count(f'<mark class="copied" data-first>{COPIED}</mark>') == 2
    assert source.title in body and personas.worker_b.full_name in body
    assert client_for(personas.reviewer_b).get(f"/duyet/{item.pk}/").status_code == 404


def test_case_page_shows_a_rebuilt_sources_text_a_quotation_and_a_typed_name_warning(
    country, personas, client_for
):
    from dedup.models import SimilarityMatch

    # A source indexed by a rebuild: no check of its own, its text kept on the match.
    source = make_initiative(
        unit=country.grassroots_b, owner=personas.worker_b, title="Nguồn", status=Status.APPROVED
    )
    text = f"Phần riêng. {COPIED} Hết."
    item = make_initiative(unit=country.grassroots_a, owner=personas.worker_a, title="Bản sao")
    check = make_check(item, text)
    start = text.index(COPIED)
    match = add_match(
        check,
        source=source,
        own_span=(start, start + len(COPIED)),
        source_span=(4, 4 + len(COPIED)),
    )
    match.source_text = f"Mở: {COPIED} Đóng."
    match.author_name_warning = True
    match.save(update_fields=["source_text", "author_name_warning"])
    SimilarityMatch.objects.create(
        similarity_check=check,
        initiative=item,
        source_id="law:1",
        source_kind=SimilarityMatch.SourceKind.LAW,
        source_title="Bộ luật Lao động",
        source_text="Điều 1. Người lao động được trả lương.",
        coverage=0.05,
        score=0.5,
        passages=[{"start": 0, "end": 10, "source_start": 0, "source_end": 8}],
    )
    body = client_for(personas.reviewer_a).get(f"/duyet/{item.pk}/").content.decode()
    assert body.count(f'<mark class="copied" data-first>{COPIED}</mark>') == 2
    assert 'data-testid="author-name-warning"' in body
    assert 'data-testid="quotation"' in body and "Bộ luật Lao động" in body
    assert '<mark class="copied" data-first>Điều 1. </mark>' in body


def test_decide_moves_on_to_the_next_item(country, personas, source, item, client_for):
    following = flagged_copy(
        unit=country.grassroots_a, owner=personas.worker_a, source=source, title="Tiếp", share=0.3
    )
    client = client_for(personas.reviewer_a)
    response = client.post(
        f"/duyet/{item.pk}/quyet-dinh/", {"decision": "return", "reason": "Bổ sung số liệu"}
    )
    assert response.status_code == 302 and response["Location"] == f"/duyet/{following.pk}/"
    item.refresh_from_db()
    assert item.status == Status.RETURNED and item.review_note == "Bổ sung số liệu"
    response = client.post(
        f"/duyet/{following.pk}/quyet-dinh/",
        {"decision": "reject", "common_reason": "Nội dung sao chép từ sáng kiến của người khác."},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 204 and response["HX-Redirect"] == "/duyet/"
    following.refresh_from_db()
    assert following.review_note == "Nội dung sao chép từ sáng kiến của người khác."


def test_decide_without_reason_keeps_what_was_typed(item, personas, client_for):
    client = client_for(personas.reviewer_a)
    response = client.post(f"/duyet/{item.pk}/quyet-dinh/", {"decision": "reject", "reason": " "})
    assert response.status_code == 400
    assert "Cần ghi rõ lý do." in response.content.decode()
    response = client.post(
        f"/duyet/{item.pk}/quyet-dinh/",
        {"decision": "return", "reason": ""},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert 'value="return" checked' in response.content.decode()
    item.refresh_from_db()
    assert item.status == Status.FLAGGED


def test_a_decision_that_lost_the_race_is_told(item, personas, client_for):
    client = client_for(personas.reviewer_a)
    client.post(f"/duyet/{item.pk}/quyet-dinh/", {"decision": "approve"})
    response = client.post(f"/duyet/{item.pk}/quyet-dinh/", {"decision": "approve"})
    assert response.status_code == 409
    assert "người khác vừa xử lý" in response.content.decode()


def test_claim_in_place_with_htmx(item, personas, client_for):
    response = client_for(personas.reviewer_a).post(
        f"/duyet/{item.pk}/nhan/", {"compact": "1"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert 'data-testid="claimed-by"' in response.content.decode()
    item.refresh_from_db()
    assert item.claimed_by == personas.reviewer_a
    response = client_for(personas.reviewer_b).post(f"/duyet/{item.pk}/nhan/")
    assert response.status_code == 404


def test_bulk_decide_from_the_queue(country, personas, source, item, client_for):
    other = flagged_copy(
        unit=country.grassroots_a, owner=personas.worker_a, source=source, title="Hai"
    )
    response = client_for(personas.reviewer_a).post(
        "/duyet/hang-loat/",
        {"ids": [item.pk, other.pk], "decision": "approve", "query": "kind=archive"},
    )
    assert response.status_code == 302 and response["Location"] == "/duyet/?kind=archive"
    assert {i.status for i in [*type(item).objects.filter(pk__in=[item.pk, other.pk])]} == {
        Status.APPROVED
    }


def test_the_author_reads_the_reason_in_the_notices(
    item, personas, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(personas.reviewer_a).post(
            f"/duyet/{item.pk}/quyet-dinh/", {"decision": "return", "reason": "Thiếu số liệu"}
        )
    assert len(mail.outbox) == 1
    response = client_for(personas.worker_a).get("/duyet/thong-bao/")
    body = response.content.decode()
    assert "Thiếu số liệu" in body and f"/sang-kien/{item.pk}/sua/" in body
    assert Notice.objects.get(recipient=personas.worker_a).read_at is not None


def test_policy_page(country, personas, client_for):
    client = client_for(personas.officer_a)
    assert client.get("/duyet/chinh-sach/").status_code == 200
    response = client.post(
        "/duyet/chinh-sach/",
        {
            "unit": country.province_a.code,
            "review_everything": "on",
            "review_time_limit_days": "abc",
        },
    )
    assert response.status_code == 200
    assert "Thời hạn duyệt phải từ 1 đến 90 ngày." in response.content.decode()
    response = client.post(
        "/duyet/chinh-sach/",
        {"unit": country.province_a.code, "review_everything": "on", "review_time_limit_days": "5"},
    )
    assert response.status_code == 302
    country.province_a.refresh_from_db()
    assert country.province_a.review_everything and country.province_a.review_time_limit_days == 5
    assert (
        client.post(
            "/duyet/chinh-sach/", {"unit": country.province_b.code, "review_time_limit_days": "5"}
        ).status_code
        == 404
    )


def test_web_source_shows_its_link_and_never_a_script_url(country, personas, client_for):
    item = make_initiative(
        unit=country.grassroots_a, owner=personas.worker_a, title="Web", text="Đoạn chép từ báo."
    )
    check = make_check(item)
    add_match(check, url="https://baomoi.vn/bai-viet", own_span=(0, 8))
    add_match(check, url="javascript:alert(1)", own_span=(9, 12))
    body = client_for(personas.reviewer_a).get(f"/duyet/{item.pk}/").content.decode()
    assert 'href="https://baomoi.vn/bai-viet"' in body
    assert 'href="javascript:' not in body
    assert '<mark class="copied" data-first>Đoạn ché</mark>' in body


def test_case_page_queries_do_not_grow_with_sources(
    country, personas, source, item, client_for, django_assert_max_num_queries
):
    check = item.similarity_checks.first()
    for n in range(6):
        other = archived_source(
            unit=country.grassroots_b, owner=personas.worker_b, title=f"Nguồn {n}"
        )
        add_match(check, source=other, own_span=(0, 5), source_span=(0, 5), coverage=0.1)
    client = client_for(personas.reviewer_a)
    with django_assert_max_num_queries(20):  # 18 with one source or seven
        response = client.get(f"/duyet/{item.pk}/")
    assert response.content.decode().count('data-testid="source-text"') == 7


def test_queue_pages_carry_the_counts_of_the_whole_queue(country, personas, client_for):
    for n in range(55):
        make_initiative(
            unit=country.grassroots_a, owner=personas.worker_a, title=f"S{n}", days_ago=n % 10
        )
    client = client_for(personas.reviewer_a)
    first = client.get("/duyet/")
    assert first.context["counts"] == {
        "total": 55,
        "flagged": 55,
        "valid": 0,
        "claimed": 0,
        "mine": 0,
        "overdue": 15,
    }
    assert len(first.context["page"].object_list) == 50
    second = client.get("/duyet/?page=2")
    assert second.context["counts"] == first.context["counts"]
    assert len(second.context["page"].object_list) == 5
    beyond = client.get("/duyet/?page=9")  # past the end: the last page
    assert beyond.context["page"].number == 2 and beyond.context["counts"]["total"] == 55
    filtered = client.get("/duyet/?age=overdue")
    assert filtered.context["counts"]["total"] == 55
    assert filtered.context["page"].paginator.count == 15
    first_ids = {i.pk for i in first.context["page"].object_list}
    assert first_ids.isdisjoint({i.pk for i in second.context["page"].object_list})
