import datetime as dt

import pytest
from django.http import Http404, QueryDict
from django.utils import timezone

from initiatives.models import Field, InitiativeEvent, Status
from review import selectors
from tests.review.helpers import (
    COPIED,
    add_match,
    archived_source,
    flagged_copy,
    make_check,
    make_initiative,
)

pytestmark = pytest.mark.django_db


def ids(items):
    return [i.pk for i in items]


@pytest.fixture
def source(country, personas):
    return archived_source(unit=country.grassroots_b, owner=personas.worker_b)


def test_reviewer_sees_only_flagged_items_of_their_subtree(country, personas, source):
    mine = flagged_copy(
        unit=country.grassroots_a, owner=personas.worker_a, source=source, title="A cờ"
    )
    make_initiative(
        unit=country.grassroots_a, owner=personas.worker_a, title="A hợp lệ", status=Status.VALID
    )
    make_initiative(
        unit=country.grassroots_a, owner=personas.worker_a, title="A nháp", status=Status.DRAFT
    )
    other = make_initiative(unit=country.grassroots_b, owner=personas.worker_b, title="B cờ")

    _queue, items = selectors.queue_list(viewer=personas.reviewer_a)
    assert ids(items) == [mine.pk]
    _queue, items = selectors.queue_list(viewer=personas.reviewer_b)
    assert ids(items) == [other.pk]
    # No review role, no queue (leadership reaches the tree but does not review).
    assert selectors.review_scope(personas.leader).is_empty
    _queue, items = selectors.queue_list(viewer=personas.officer_a)
    assert ids(items) == []


def test_review_everything_policy_adds_checked_items_of_that_unit_only(country, personas):
    flagged = make_initiative(unit=country.grassroots_a, owner=personas.worker_a, title="cờ")
    valid = make_initiative(
        unit=country.grassroots_a, owner=personas.worker_a, title="hợp lệ", status=Status.VALID
    )
    make_initiative(
        unit=country.grassroots_b, owner=personas.worker_b, title="B hợp lệ", status=Status.VALID
    )
    country.province_a.review_everything = True
    country.province_a.save(update_fields=["review_everything"])
    _queue, items = selectors.queue_list(viewer=personas.reviewer_a)
    assert set(ids(items)) == {flagged.pk, valid.pk}
    _queue, items = selectors.queue_list(viewer=personas.reviewer_b)
    assert ids(items) == []


def test_sorted_by_share_then_sources_then_age(country, personas):
    def item(title, share, sources, days):
        return make_initiative(
            unit=country.grassroots_a,
            owner=personas.worker_a,
            title=title,
            copied_share=share,
            source_count=sources,
            days_ago=days,
        )

    low = item("thấp", 0.2, 1, 10)
    high_new = item("cao mới", 0.8, 1, 1)
    high_many = item("cao nhiều nguồn", 0.8, 3, 1)
    high_old = item("cao cũ", 0.8, 1, 5)
    unknown = item("chưa rõ", None, 0, 20)
    _queue, items = selectors.queue_list(viewer=personas.reviewer_a)
    assert ids(items) == [high_many.pk, high_old.pk, high_new.pk, low.pk, unknown.pk]


def test_filters_by_sub_unit_field_kind_and_age(country, personas, source):
    field = Field.objects.create(code="thuy-san", name="Thủy sản")
    archive_item = flagged_copy(
        unit=country.grassroots_a, owner=personas.worker_a, source=source, title="kho", days_ago=2
    )
    web_item = make_initiative(
        unit=country.grassroots_a2,
        owner=personas.worker_a,
        title="web",
        text="Một đoạn chép từ báo điện tử.",
        field=field,
        days_ago=10,
    )
    add_match(make_check(web_item), url="https://vnexpress.net/bai", own_span=(0, 10))
    scope = selectors.review_scope(personas.reviewer_a)

    def run(query):
        filters = selectors.QueueFilters.from_params(QueryDict(query), scope=scope)
        return ids(selectors.queue_list(viewer=personas.reviewer_a, filters=filters)[1])

    assert run(f"unit={country.grassroots_a2.code}") == [web_item.pk]
    assert run(f"field={field.pk}") == [web_item.pk]
    assert run("kind=archive") == [archive_item.pk]
    assert run("kind=web") == [web_item.pk]
    assert run("age=7") == [web_item.pk]
    assert run("age=overdue") == [web_item.pk]  # default limit: 7 days
    # A unit outside the scope is ignored, never used to peek into B.
    assert set(run(f"unit={country.grassroots_b.code}")) == {archive_item.pk, web_item.pk}


def test_counts_and_overdue_follow_the_units_time_limit(country, personas):
    make_initiative(unit=country.grassroots_a, owner=personas.worker_a, title="mới", days_ago=1)
    old = make_initiative(
        unit=country.grassroots_a, owner=personas.worker_a, title="cũ", days_ago=4
    )
    claimed = make_initiative(unit=country.grassroots_a, owner=personas.worker_a, title="đã nhận")
    claimed.claimed_by = personas.reviewer_a
    claimed.claimed_until = timezone.now() + dt.timedelta(minutes=10)
    claimed.save()
    country.province_a.review_time_limit_days = 3
    country.province_a.save(update_fields=["review_time_limit_days"])

    queue, items = selectors.queue_list(viewer=personas.reviewer_a)
    counts = selectors.queue_counts(queue, viewer=personas.reviewer_a)
    assert counts == {"total": 3, "flagged": 3, "valid": 0, "claimed": 1, "mine": 1, "overdue": 1}
    rows = list(items)
    selectors.mark_overdue(rows, queue.policy_units)
    assert [r.pk for r in rows if r.is_overdue] == [old.pk]


def test_highlight_merges_overlaps_and_clamps():
    segments = selectors.highlight("abcdefghij", [(2, 5), (4, 7), (9, 40), (12, 14)])
    assert [(s.text, s.marked) for s in segments] == [
        ("ab", False),
        ("cdefg", True),
        ("hi", False),
        ("j", True),
    ]
    assert segments[1].first and not segments[3].first


def test_case_evidence_marks_both_sides_and_hides_confidential_text(country, personas, source):
    item = flagged_copy(
        unit=country.grassroots_a, owner=personas.worker_a, source=source, title="X"
    )
    secret = archived_source(
        unit=country.grassroots_b, owner=personas.worker_b, title="Bí mật", is_confidential=True
    )
    own = archived_source(unit=country.grassroots_a, owner=personas.worker_a, title="Của tôi")
    check = item.similarity_checks.first()
    add_match(check, source=secret, own_span=(0, 5), source_span=(0, 5), coverage=0.3)
    add_match(
        check, source=own, own_span=(0, 5), source_span=(0, 5), coverage=0.2, same_author=True
    )

    case = selectors.case_evidence(viewer=personas.reviewer_a, initiative=item)
    by_title = {e.match.source_title: e for e in case.sources}
    copied = by_title[source.title]
    assert [s.text for s in copied.own_segments if s.marked] == [COPIED]
    assert [s.text for s in copied.text_segments if s.marked] == [COPIED]
    assert copied.authors == [personas.worker_b.full_name]
    hidden = by_title["Bí mật"]
    assert hidden.hidden and hidden.text_segments is None and hidden.source_text is None
    assert hidden.authors == [] and hidden.visible_to == country.province_b
    assert by_title["Của tôi"].match.same_author
    # The reviewer of B is in the secret's chain: they may read it.
    readable = selectors.case_evidence(viewer=personas.reviewer_b, initiative=item)
    assert not {e.match.source_title: e for e in readable.sources}["Bí mật"].hidden


def test_case_get_answers_404_outside_the_review_scope(country, personas):
    item = make_initiative(unit=country.grassroots_a, owner=personas.worker_a, title="A")
    assert selectors.case_get(viewer=personas.reviewer_a, pk=item.pk) == item
    for outsider in (personas.reviewer_b, personas.worker_a, personas.leader, personas.officer_a):
        with pytest.raises(Http404):
            selectors.case_get(viewer=outsider, pk=item.pk)


def test_reviewer_stats(country, personas):
    waiting = make_initiative(unit=country.grassroots_a, owner=personas.worker_a, title="chờ")
    decided = make_initiative(
        unit=country.grassroots_a, owner=personas.worker_a, title="xong", days_ago=0.25
    )
    decided.status = Status.APPROVED
    decided.save()
    InitiativeEvent.objects.create(
        initiative=decided,
        transition="approve",
        from_status=Status.FLAGGED,
        to_status=Status.APPROVED,
        actor=personas.reviewer_a,
    )
    stats = selectors.reviewer_stats(viewer=personas.reviewer_a)
    assert stats.decided_this_week == 1
    assert stats.waiting == 1 and waiting.pk
    assert stats.median_hours == pytest.approx(6, abs=0.2)


def test_neighbours_follow_the_queue_order(country, personas):
    def item(title, share, sources, days):
        return make_initiative(
            unit=country.grassroots_a,
            owner=personas.worker_a,
            title=title,
            copied_share=share,
            source_count=sources,
            days_ago=days,
        )

    items = [
        item("a", 0.8, 3, 1),
        item("b", 0.8, 1, 5),
        item("c", 0.8, 1, 5),  # created a moment after b: it has waited a moment less
        item("d", 0.8, 1, 1),
        item("e", 0.2, 1, 10),
        item("f", None, 0, 20),
    ]
    _queue, ordered = selectors.queue_list(viewer=personas.reviewer_a)
    assert ids(ordered) == [i.pk for i in items]
    for index, current in enumerate(items):
        previous, following = selectors.queue_neighbours(
            viewer=personas.reviewer_a, initiative=current
        )
        assert previous == (items[index - 1].pk if index else None)
        assert following == (items[index + 1].pk if index + 1 < len(items) else None)
    decided = make_initiative(
        unit=country.grassroots_a, owner=personas.worker_a, title="xong", status=Status.APPROVED
    )
    assert selectors.queue_neighbours(viewer=personas.reviewer_a, initiative=decided) == (
        None,
        items[0].pk,
    )
