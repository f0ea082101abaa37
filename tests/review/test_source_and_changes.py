"""A reviewer opens a cited source (issue 14) and sees what the author changed after a return."""

from __future__ import annotations

import pytest
from django.urls import reverse

from initiatives.models import Status
from review import services
from review.selectors import case_changes_since_return, word_diff
from tests.review.helpers import SOURCE_TEXT, archived_source, flagged_copy

pytestmark = pytest.mark.django_db


@pytest.fixture
def cited(country, personas):
    source = archived_source(
        unit=country.grassroots_b, owner=personas.worker_b, title="Nguồn của Hà Nội"
    )
    item = flagged_copy(
        unit=country.grassroots_a, owner=personas.worker_a, source=source, title="Cờ A"
    )
    return item, source


def test_the_case_links_to_its_source_and_a_reviewer_of_another_province_reads_it(
    client_for, personas, cited
):
    item, source = cited
    client = client_for(personas.reviewer_a)
    url = reverse("review-source", args=[item.pk, source.pk])
    assert f'href="{url}"' in client.get(reverse("review-case", args=[item.pk])).content.decode()
    html = client.get(url).content.decode()
    assert "Nguồn của Hà Nội" in html
    assert SOURCE_TEXT in html
    # Outside a case that cites it, the source stays out of reach.
    assert client.get(reverse("initiatives:detail", args=[source.pk])).status_code == 404


def test_a_confidential_source_shows_only_what_the_rule_allows(client_for, personas, cited):
    item, source = cited
    source.is_confidential = True
    source.summary = "Tóm tắt công khai."
    source.save()
    html = (
        client_for(personas.reviewer_a)
        .get(reverse("review-source", args=[item.pk, source.pk]))
        .content.decode()
    )
    assert "Tóm tắt công khai." in html
    assert SOURCE_TEXT not in html
    assert 'data-testid="confidential-notice"' in html


@pytest.mark.parametrize("persona", ["reviewer_b", "worker_a", "officer_a", "leader", "anonymous"])
def test_anyone_without_a_case_citing_it_gets_404(client_for, personas, cited, persona):
    item, source = cited
    response = client_for(personas.by_name(persona)).get(
        reverse("review-source", args=[item.pk, source.pk])
    )
    assert response.status_code == (302 if persona == "anonymous" else 404)


def test_a_source_not_cited_by_the_case_is_404(client_for, personas, cited, country):
    item, _source = cited
    other = archived_source(unit=country.grassroots_b, owner=personas.worker_b, title="Khác")
    response = client_for(personas.reviewer_a).get(
        reverse("review-source", args=[item.pk, other.pk])
    )
    assert response.status_code == 404


def test_word_diff_marks_removed_and_added_words():
    pieces = word_diff("Lắp cảm biến nhiệt độ.", "Lắp cảm biến nhiệt độ không dây.")
    assert [(p.kind, p.text) for p in pieces] == [
        ("same", "Lắp cảm biến nhiệt "),
        ("removed", "độ."),
        ("added", "độ không dây."),
    ]


def test_after_a_resubmission_the_reviewer_sees_what_changed(client_for, personas, cited):
    item, _source = cited
    assert case_changes_since_return(initiative=item) is None
    services.review_decide(
        initiative=item, reviewer=personas.reviewer_a, decision="return", reason="Trích nguồn."
    )
    item.refresh_from_db()
    assert case_changes_since_return(initiative=item) is None  # still with the author
    item.description += " Nguồn: tài liệu hãng."
    item.save()
    item.status = Status.FLAGGED
    item.save()
    changes = case_changes_since_return(initiative=item)
    assert [c.name for c in changes] == ["description"]
    assert [p.text for p in changes[0].pieces if p.kind == "added"] == ["2. Nguồn: tài liệu hãng."]
    html = client_for(personas.reviewer_a).get(reverse("review-case", args=[item.pk])).content
    assert "<ins>2. Nguồn: tài liệu hãng.</ins>" in html.decode()
