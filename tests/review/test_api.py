import pytest

from initiatives.models import Status
from tests.review.helpers import COPIED, archived_source, flagged_copy, make_initiative

pytestmark = pytest.mark.django_db


@pytest.fixture
def source(country, personas):
    return archived_source(unit=country.grassroots_b, owner=personas.worker_b)


@pytest.fixture
def item(country, personas, source):
    return flagged_copy(
        unit=country.grassroots_a, owner=personas.worker_a, source=source, title="A"
    )


def test_queue_lists_the_callers_items_with_counts(
    country, personas, source, item, client_for, django_assert_max_num_queries
):
    for n in range(20):
        flagged_copy(
            unit=country.grassroots_a, owner=personas.worker_a, source=source, title=f"A{n}"
        )
    make_initiative(unit=country.grassroots_b, owner=personas.worker_b, title="B")
    client = client_for(personas.reviewer_a)
    with django_assert_max_num_queries(10):
        data = client.get("/api/v1/review/queue/").json()
    assert data["count"] == 21 and data["counts"]["flagged"] == 21
    assert {row["unit_code"] for row in data["results"]} == {country.grassroots_a.code}
    assert client_for(personas.reviewer_b).get("/api/v1/review/queue/").json()["count"] == 1
    assert client_for(personas.worker_a).get("/api/v1/review/queue/").status_code == 404


def test_case_detail_carries_the_evidence(item, source, personas, client_for):
    data = client_for(personas.reviewer_a).get(f"/api/v1/review/cases/{item.pk}/").json()
    (evidence,) = data["sources"]
    passage = evidence["passages"][0]
    assert data["checked_text"][passage["start"] : passage["end"]] == COPIED
    assert evidence["source_passages"] == [COPIED]
    assert evidence["authors"] == [personas.worker_b.full_name]
    assert (
        client_for(personas.reviewer_b).get(f"/api/v1/review/cases/{item.pk}/").status_code == 404
    )


def test_confidential_source_shows_only_that_it_exists(country, personas, client_for):
    secret = archived_source(
        unit=country.grassroots_b, owner=personas.worker_b, title="Bí mật", is_confidential=True
    )
    item = flagged_copy(
        unit=country.grassroots_a, owner=personas.worker_a, source=secret, title="A"
    )
    data = client_for(personas.reviewer_a).get(f"/api/v1/review/cases/{item.pk}/").json()
    (evidence,) = data["sources"]
    assert evidence["confidential"] is True
    assert evidence["visible_to_reviewers_of"] == country.province_b.name
    assert "source_passages" not in evidence and "authors" not in evidence
    assert all(set(p) == {"start", "end"} for p in evidence["passages"])


def test_decide_and_claim(item, personas, client_for):
    client = client_for(personas.reviewer_a)
    assert client.post(f"/api/v1/review/cases/{item.pk}/claim/").status_code == 200
    response = client.post(f"/api/v1/review/cases/{item.pk}/decide/", {"decision": "reject"})
    assert response.status_code == 400 and response.json()["reason"] == ["Cần ghi rõ lý do."]
    response = client.post(
        f"/api/v1/review/cases/{item.pk}/decide/", {"decision": "reject", "reason": "Chép"}
    )
    assert response.status_code == 200 and response.json()["status"] == Status.REJECTED
    response = client.post(f"/api/v1/review/cases/{item.pk}/decide/", {"decision": "approve"})
    assert response.status_code == 409 and "người khác vừa xử lý" in response.json()["detail"]
    other = client_for(personas.reviewer_b)
    assert (
        other.post(f"/api/v1/review/cases/{item.pk}/decide/", {"decision": "approve"}).status_code
        == 404
    )
    assert other.post(f"/api/v1/review/cases/{item.pk}/claim/").status_code == 404
