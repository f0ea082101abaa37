"""The form's save/submit as a service (`initiatives.editing.initiative_edit`): drafts,
idempotent submit with the client token, on-behalf entry, files, refusals that save
nothing or that save the draft but do not hand it in."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from initiatives import validation
from initiatives.editing import EditResult, initiative_edit
from initiatives.models import Initiative, ParticipantGroup, Status
from initiatives.services import MSG_CLIENT_TOKEN_TAKEN, AuthorData
from tests.factories import decree_fields
from tests.initiatives.submission_helpers import EXE_BYTES, minimal_pdf

pytestmark = pytest.mark.django_db


def data(unit, **overrides) -> dict:
    return {
        "title": "Cải tiến máy ép",
        "participant_group": ParticipantGroup.ENTERPRISE,
        "unit": unit,
        **overrides,
    }


def authors(user_id=None) -> list[AuthorData]:
    return [AuthorData("Nguyễn Văn Tâm", Decimal(100), user_id=user_id)]


def test_a_draft_is_saved_and_owned_by_whoever_entered_it(country, personas):
    result = initiative_edit(
        viewer=personas.worker_a,
        initiative=None,
        data=data(country.grassroots_a),
        authors=authors(),
    )
    assert isinstance(result, EditResult) and result.error is None
    assert result.submitted is None
    draft = Initiative.objects.get()
    assert (draft, draft.status, draft.owner) == (result.saved, Status.DRAFT, personas.worker_a)


def test_an_officer_entering_for_someone_else_leaves_no_owner(country, personas):
    result = initiative_edit(
        viewer=personas.officer_a,
        initiative=None,
        data=data(country.grassroots_a),
        authors=authors(),
        on_behalf=True,
    )
    assert result.saved.owner is None and result.saved.entered_by == personas.officer_a


def test_the_same_token_twice_makes_one_initiative_and_submits_once(country, personas):
    token = uuid.uuid4()
    complete = data(country.grassroots_a, **decree_fields())
    first = initiative_edit(
        viewer=personas.worker_a,
        initiative=None,
        data=complete,
        authors=authors(),
        client_token=token,
        submit=True,
    )
    assert first.submitted is not None and first.submitted.status != Status.DRAFT
    again = initiative_edit(
        viewer=personas.worker_a,
        initiative=None,
        data=complete,
        authors=authors(),
        client_token=token,
        submit=True,
    )
    # Sent again after it was handed in: the same initiative, not submitted twice.
    assert again.saved.pk == first.submitted.pk and again.submitted is None
    assert not again.saved.is_editable and again.error is None
    assert Initiative.objects.count() == 1
    assert first.submitted.events.filter(transition="submit").count() == 1


def test_another_account_sending_the_token_saves_nothing(country, personas):
    token = uuid.uuid4()
    initiative_edit(
        viewer=personas.worker_a,
        initiative=None,
        data=data(country.grassroots_a),
        authors=authors(),
        client_token=token,
    )
    result = initiative_edit(
        viewer=personas.officer_a,
        initiative=None,
        data=data(country.grassroots_a, title="Của người khác"),
        authors=authors(),
        client_token=token,
    )
    assert result.saved is None and result.token_taken
    assert result.error.messages == [MSG_CLIENT_TOKEN_TAKEN]
    assert Initiative.objects.get().title == "Cải tiến máy ép"


def test_an_incomplete_submission_is_kept_as_a_draft_with_the_reasons(country, personas):
    result = initiative_edit(
        viewer=personas.worker_a,
        initiative=None,
        data=data(country.grassroots_a),
        authors=authors(),
        submit=True,
    )
    assert result.submitted is None and result.saved.status == Status.DRAFT
    refused = result.error.message_dict
    for name in validation.REQUIRED_TO_SUBMIT:
        assert name in refused, name


def test_a_stranger_cannot_be_linked_as_co_author(country, personas):
    result = initiative_edit(
        viewer=personas.worker_a,
        initiative=None,
        data=data(country.grassroots_a),
        authors=authors(user_id=personas.leader.pk),
    )
    assert result.saved.authors.get().user_id is None


def test_a_refused_file_is_reported_the_rest_kept_and_nothing_handed_in(country, personas):
    files = [
        SimpleUploadedFile("ban-ve.pdf", minimal_pdf("Ban ve"), "application/pdf"),
        SimpleUploadedFile("virus.pdf", EXE_BYTES, "application/pdf"),
    ]
    result = initiative_edit(
        viewer=personas.worker_a,
        initiative=None,
        data=data(country.grassroots_a, **decree_fields()),
        authors=authors(),
        files=files,
        submit=True,
    )
    assert result.stored == 1 and len(result.file_errors) == 1
    assert result.submitted is None and result.saved.status == Status.DRAFT
    assert [a.original_name for a in result.saved.attachments.all()] == ["ban-ve.pdf"]


def test_editing_an_existing_draft_changes_it_in_place(country, personas):
    first = initiative_edit(
        viewer=personas.worker_a,
        initiative=None,
        data=data(country.grassroots_a),
        authors=authors(user_id=personas.worker_a.pk),
    )
    result = initiative_edit(
        viewer=personas.worker_a,
        initiative=first.saved,
        data=data(country.grassroots_a, title="Tên mới"),
        authors=authors(user_id=personas.worker_a.pk),
        client_token=uuid.uuid4(),  # ignored for an existing draft
    )
    assert result.saved.pk == first.saved.pk and result.saved.title == "Tên mới"
    assert result.saved.authors.get().user_id == personas.worker_a.pk
    assert Initiative.objects.count() == 1
