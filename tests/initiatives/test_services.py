from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from initiatives import services
from initiatives.models import InitiativeEvent, ParticipantGroup, Status
from tests.factories import decree_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(country, personas):
    return services.initiative_save_draft(
        entered_by=personas.worker_a,
        data={
            **decree_fields(),
            "title": "Cải tiến dây chuyền cấp đông tôm",
            "summary": "Giảm 12% điện năng.",
            "description": "Lắp biến tần cho máy nén.",
            "participant_group": ParticipantGroup.ENTERPRISE,
            "unit": country.grassroots_a,
            "owner": personas.worker_a,
        },
        authors=[
            services.AuthorData("Nguyễn Văn Tâm", Decimal(60), user_id=personas.worker_a.pk),
            services.AuthorData("Lê Thị Hoà", Decimal(40)),
        ],
    )


def test_submit_moves_to_checking_and_records_who_and_when(draft, personas, country):
    submitted = services.initiative_submit(initiative=draft, actor=personas.worker_a)
    assert submitted.status == Status.CHECKING
    assert submitted.submitted_at is not None
    assert submitted.top_unit == country.province_a
    events = list(
        InitiativeEvent.objects.filter(initiative=draft).values_list("transition", "to_status")
    )
    assert events[:2] == [("submit", "submitted"), ("start_check", "checking")]
    assert InitiativeEvent.objects.get(transition="submit").actor == personas.worker_a


def test_submitting_twice_changes_nothing(draft, personas):
    services.initiative_submit(initiative=draft, actor=personas.worker_a)
    count = InitiativeEvent.objects.count()
    again = services.initiative_submit(initiative=draft, actor=personas.worker_a)
    assert again.status == Status.CHECKING
    assert InitiativeEvent.objects.count() == count


def test_contributions_must_add_up_to_100(country, personas):
    draft = services.initiative_save_draft(
        entered_by=personas.worker_a,
        data={
            "title": "X",
            "participant_group": ParticipantGroup.ENTERPRISE,
            "unit": country.grassroots_a,
        },
        authors=[services.AuthorData("A", Decimal(70)), services.AuthorData("B", Decimal(20))],
    )
    with pytest.raises(ValidationError) as error:
        services.initiative_submit(initiative=draft, actor=personas.worker_a)
    assert "90" in str(error.value) and "100%" in str(error.value)
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_search_text_is_accent_folded(draft):
    assert "cai tien day chuyen cap dong tom" in draft.search_text


def test_a_decision_applies_once(draft, personas):
    checking = services.initiative_submit(initiative=draft, actor=personas.worker_a)
    services.initiative_record_check(
        initiative=checking, flagged=True, copied_share=0.4, source_count=1
    )
    services.initiative_decide(
        initiative=draft, reviewer=personas.reviewer_a, decision="return", reason="Bổ sung số liệu"
    )
    with pytest.raises(ValidationError):
        services.initiative_decide(
            initiative=draft, reviewer=personas.reviewer_a, decision="approve"
        )
    draft.refresh_from_db()
    assert draft.status == Status.RETURNED
    assert InitiativeEvent.objects.filter(to_status__in=["returned", "approved"]).count() == 1


def test_reject_needs_a_reason(draft, personas):
    checking = services.initiative_submit(initiative=draft, actor=personas.worker_a)
    services.initiative_record_check(
        initiative=checking, flagged=True, copied_share=0.4, source_count=1
    )
    with pytest.raises(ValidationError) as error:
        services.initiative_decide(
            initiative=draft, reviewer=personas.reviewer_a, decision="reject", reason=" "
        )
    assert services.MSG_REASON_REQUIRED in str(error.value)


def test_an_empty_author_list_removes_the_authors_and_none_keeps_them(draft, personas):
    services.initiative_save_draft(
        entered_by=personas.worker_a, data={"title": "Đổi tên"}, initiative=draft
    )
    assert draft.authors.count() == 2
    services.initiative_save_draft(
        entered_by=personas.worker_a, data={}, authors=[], initiative=draft
    )
    assert draft.authors.count() == 0
