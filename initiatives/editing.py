"""One press of "save" or "submit" on the initiative form, as a service.

The view (`initiatives.views`) validates the form, the authors and the uploads, then
hands the cleaned values to `initiative_edit`, which writes the draft and its files in
one transaction (`draft_save_with_files`) and, when asked and nothing was refused,
hands the initiative in. Its `EditResult` says what happened; the view only turns that
into messages, a redirect or the form again. Nothing entered is ever lost: when the
services refuse, the result carries their reasons and nothing is saved, and files kept
from an earlier try (`initiatives.kept_uploads`) stay kept.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from initiatives import services
from initiatives.kept_uploads import KeptUpload, kept_upload_discard, kept_upload_open
from initiatives.models import Attachment, Initiative
from initiatives.services import AuthorData

# The code of the services' refusal when another account already used the form's token.
CLIENT_TOKEN_TAKEN = "client_token_taken"


@dataclass
class EditResult:
    # The draft as saved; None when nothing was saved.
    saved: Initiative | None = None
    # The initiative handed in, when "submit" was pressed and it could be.
    submitted: Initiative | None = None
    # Files attached in this press.
    stored: int = 0
    # Files refused by type or size (the rest was kept).
    file_errors: list[str] = field(default_factory=list)
    # The services' refusal: of the draft (nothing saved) or of the submission (saved).
    error: ValidationError | None = None

    @property
    def token_taken(self) -> bool:
        return self.error is not None and getattr(self.error, "code", None) == CLIENT_TOKEN_TAKEN


def allowed_author_user_ids(viewer, initiative: Initiative | None) -> set[int]:
    """Author rows may link an account only to the viewer or to accounts already linked:
    a hidden field must not let anyone add a stranger as co-author."""
    allowed = {viewer.pk}
    if initiative is not None:
        allowed |= set(initiative.authors.exclude(user=None).values_list("user_id", flat=True))
    return allowed


def _delete_unreferenced_files(initiative_id: int, *, since) -> None:
    """After a rollback: the files this request wrote for the initiative, now without a row."""
    from django.core.files.storage import default_storage

    folder = f"attachments/{initiative_id}"
    try:
        _dirs, names = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    known = set(
        Attachment.objects.filter(initiative_id=initiative_id).values_list("file", flat=True)
    )
    for name in names:
        path = f"{folder}/{name}"
        if path not in known and default_storage.get_modified_time(path) >= since:
            default_storage.delete(path)


def _attach(saved: Initiative, uploaded, *, viewer, file_errors: list[str]) -> int:
    """One file onto the draft: 1 if stored, 0 if refused (the reason is kept)."""
    try:
        services.attachment_add(initiative=saved, uploaded_file=uploaded, uploaded_by=viewer)
    except ValidationError as exc:
        file_errors.extend(exc.messages)
        return 0
    return 1


def draft_save_with_files(
    *,
    viewer,
    data: dict,
    authors: list[AuthorData],
    initiative: Initiative | None,
    client_token,
    files: Iterable,
    file_errors: list[str],
    kept: Sequence[KeptUpload] = (),
) -> tuple[Initiative, int]:
    """The draft and its files in one transaction: a crash in between (a killed worker,
    a storage error) leaves neither a draft without its files nor files without a draft.

    `kept`: files chosen on an earlier try of the form that had errors
    (`initiatives.kept_uploads`); they are attached like new ones, and their kept copies
    deleted once the transaction commits (if it rolls back, they stay usable).
    A file refused by its type or size is reported and skipped; the rest is kept.
    Files already written to storage when the transaction rolls back are deleted here;
    a process killed outright leaves only unreferenced files, which
    `initiatives.tasks.sweep_orphan_files` removes. Returns (draft, files stored).
    """
    started = timezone.now()
    saved = None
    stored = 0
    try:
        with transaction.atomic():
            saved = services.initiative_save_draft(
                entered_by=viewer,
                actor=viewer,
                data=data,
                authors=authors,
                initiative=initiative,
                client_token=client_token,
            )
            if not saved.is_editable:
                return saved, 0  # the same form sent again after submission
            for kept_file in kept:
                with kept_upload_open(kept_file) as uploaded:
                    stored += _attach(saved, uploaded, viewer=viewer, file_errors=file_errors)
                transaction.on_commit(lambda k=kept_file: kept_upload_discard(k))
            for uploaded in files:
                stored += _attach(saved, uploaded, viewer=viewer, file_errors=file_errors)
    except BaseException:
        if saved is not None and saved.pk:
            _delete_unreferenced_files(saved.pk, since=started)
        raise
    return saved, stored


def initiative_edit(
    *,
    viewer,
    initiative: Initiative | None,
    data: dict,
    authors: list[AuthorData],
    client_token=None,
    files: Iterable = (),
    kept: Sequence[KeptUpload] = (),
    on_behalf: bool = False,
    submit: bool = False,
) -> EditResult:
    """Save the form's draft (new when `initiative` is None) with its files, then hand it
    in when `submit` and no file was refused.

    `on_behalf`: an officer entering someone else's initiative; it then has no owner
    account. `client_token` (new drafts only) makes pressing twice make one draft.
    Submitting goes through `initiative_submit`: the one validation, as for imports and
    the API. Resending a form after it was handed in changes nothing.
    """
    data = dict(data)
    if initiative is None:
        data["owner"] = None if on_behalf else viewer
    allowed = allowed_author_user_ids(viewer, initiative)
    for author in authors:
        if author.user_id not in allowed:
            author.user_id = None
    result = EditResult()
    try:
        result.saved, result.stored = draft_save_with_files(
            viewer=viewer,
            data=data,
            authors=authors,
            initiative=initiative,
            client_token=client_token if initiative is None else None,
            files=files,
            file_errors=result.file_errors,
            kept=kept,
        )
    except ValidationError as exc:
        result.error = exc
        return result
    if submit and not result.file_errors and result.saved.is_editable:
        try:
            result.submitted = services.initiative_submit(initiative=result.saved, actor=viewer)
        except ValidationError as exc:
            result.error = exc
    return result
