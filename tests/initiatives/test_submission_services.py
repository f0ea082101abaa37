"""The services the submission pages add or rely on: the form's token, recognition."""

import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from initiatives import services
from initiatives.models import Initiative, ParticipantGroup, Status
from tests.factories import decree_fields
from tests.initiatives.submission_helpers import make_initiative

pytestmark = pytest.mark.django_db


def save(user, unit, token, title):
    return services.initiative_save_draft(
        entered_by=user,
        data={
            **decree_fields(),
            "title": title,
            "participant_group": ParticipantGroup.ENTERPRISE,
            "unit": unit,
        },
        authors=[services.AuthorData("Nguyễn Văn Tâm", Decimal(100))],
        client_token=token,
    )


def test_the_same_token_from_the_same_person_updates_the_draft(country, personas):
    token = uuid.uuid4()
    first = save(personas.worker_a, country.grassroots_a, token, "Bản đầu")
    second = save(personas.worker_a, country.grassroots_a, token, "Bản sửa")
    assert first.pk == second.pk
    assert list(Initiative.objects.values_list("title", flat=True)) == ["Bản sửa"]
    assert "ban sua" in Initiative.objects.get().search_text


def test_the_same_token_from_someone_else_changes_nothing(country, personas):
    token = uuid.uuid4()
    first = save(personas.worker_a, country.grassroots_a, token, "Bản đầu")
    with pytest.raises(ValidationError) as refused:
        save(personas.grassroots_officer_a, country.grassroots_a, token, "Ghi đè")
    assert refused.value.messages == [services.MSG_CLIENT_TOKEN_TAKEN]
    assert Initiative.objects.get().pk == first.pk
    assert Initiative.objects.get().title == "Bản đầu"


def test_the_token_after_submission_returns_the_submitted_initiative(country, personas):
    token = uuid.uuid4()
    draft = save(personas.worker_a, country.grassroots_a, token, "Bản đầu")
    services.initiative_submit(initiative=draft, actor=personas.worker_a)
    again = save(personas.worker_a, country.grassroots_a, token, "Gửi lại")
    assert again.pk == draft.pk and again.status == Status.CHECKING
    assert again.title == "Bản đầu"


def test_recognition_records_the_award_and_makes_it_searchable(country, personas):
    approved = make_initiative(
        unit=country.grassroots_a,
        entered_by=personas.worker_a,
        state="approved",
        reviewer=personas.reviewer_a,
    )
    recognised = services.initiative_recognise(
        initiative=approved, actor=personas.reviewer_a, award="Giải Nhất Hội thi sáng tạo"
    )
    assert recognised.status == Status.RECOGNISED
    assert recognised.award == "Giải Nhất Hội thi sáng tạo"
    assert "giai nhat hoi thi sang tao" in Initiative.objects.get().search_text
    assert recognised.events.last().transition == "recognise"
