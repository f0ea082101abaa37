"""Pages for people: the submission form, "my initiatives", the unit's list, the QR
poster and the public library. Reads go through `initiatives.selectors`, writes
through `initiatives.services`; confidential text is gated by
`selectors.can_read_confidential_text` everywhere it could appear.
"""

from __future__ import annotations

import base64
import io
import uuid

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from accounts.membership import open_membership
from accounts.models import Membership, Role
from accounts.registration import registration_url
from accounts.tenancy import OFFICER_ROLES, roles_of, scope_for
from config.db_router import reads_from_replica
from core.page_cache import cached_public_page
from core.parsing import query_int
from federation.models import OrgUnit
from initiatives import attachments as attachment_rules
from initiatives import editing, selectors, services, validation
from initiatives import fields as sections
from initiatives.filters import InitiativeFilter, LibraryFilter
from initiatives.forms import (
    REQUIRED_TO_SUBMIT,
    STEP_FIELDS,
    AttachmentUploadForm,
    AuthorFormSet,
    InitiativeForm,
    RecognitionForm,
    authors_from,
)
from initiatives.kept_uploads import (
    MSG_KEPT_FILE_GONE,
    KeptUpload,
    kept_upload_discard,
    kept_upload_load,
    kept_upload_store,
)
from initiatives.models import Attachment, Field, ParticipantGroup, Status

MSG_DRAFT_SAVED = gettext_noop("Đã lưu bản nháp.")
MSG_SUBMITTED = gettext_noop("Đã nộp sáng kiến. Hệ thống đang kiểm tra trùng lặp.")
MSG_FIX_ERRORS = gettext_noop("Chưa lưu được: hãy sửa các mục được đánh dấu đỏ bên dưới.")
MSG_FIX_BEFORE_SUBMIT = gettext_noop(
    "Đã lưu bản nháp, nhưng chưa nộp được: hãy bổ sung các mục được đánh dấu đỏ."
)
MSG_FILES_KEPT = gettext_noop(
    "Tệp bạn chọn được giữ lại: sửa các lỗi rồi lưu, không cần chọn lại tệp."
)
MSG_DRAFT_SAVED_FILES_REFUSED = gettext_noop(
    "Đã lưu bản nháp, nhưng có tệp không được nhận: xem mục “Tác giả và tệp”."
)
MSG_FILES_SAVED = gettext_noop("Đã lưu {n} tệp đính kèm.")
MSG_NOT_EDITABLE_NOW = gettext_noop("Sáng kiến đang ở trạng thái “{status}”, không sửa được nữa.")
MSG_NO_UNIT = gettext_noop(
    "Tài khoản của bạn chưa là đoàn viên của công đoàn cơ sở nào. "
    "Hãy liên hệ cán bộ công đoàn cơ sở để được gắn đơn vị, hoặc nhờ họ nhập hộ sáng kiến."
)
MSG_QR_UNIT_NOT_YOURS = gettext_noop(
    "Bạn chưa là đoàn viên của “{unit}”. Sáng kiến sẽ được nộp cho đơn vị của bạn; "
    "nếu cần đổi, hãy liên hệ cán bộ công đoàn."
)
MSG_ATTACHMENT_REMOVED = gettext_noop("Đã xoá tệp “{name}”.")

PAGE_SIZE = 25
# How often the initiative page asks whether the similarity check has finished.
CHECK_POLL_SECONDS = 3
STEP_TITLES = sections.STEP_TITLES


# --- the form -------------------------------------------------------------------------


def _is_officer(user) -> bool:
    return not scope_for(user, OFFICER_ROLES).is_empty


def _initial_unit(request, units):
    """The QR poster's unit when the viewer may use it, else the viewer's member unit."""
    code = request.GET.get("don_vi", "").strip()
    if code:
        chosen = units.filter(code=code).first()
        if chosen is not None:
            return chosen
        asked = OrgUnit.objects.filter(code=code).first()
        if asked is not None:
            messages.warning(request, _(MSG_QR_UNIT_NOT_YOURS).format(unit=asked.name))
    member_units = [a.unit_id for a in roles_of(request.user) if a.role == Role.MEMBER]
    return units.filter(pk__in=member_units).first() or units.first()


def _pending_membership(user) -> Membership | None:
    membership = open_membership(user)
    return membership if membership and membership.status == Membership.Status.PENDING else None


def _author_defaults(user, unit) -> dict:
    return {
        "full_name": user.full_name,
        "date_of_birth": user.date_of_birth,
        "job_title": user.job_title,
        "workplace": unit.display_name if unit else "",
        "contribution_percent": 100,
        "user_id": user.pk,
    }


def _apply_service_errors(exc: ValidationError, form, author_errors: list[str]) -> None:
    if hasattr(exc, "error_dict"):
        for key, errors in exc.message_dict.items():
            if key == "authors":
                author_errors.extend(errors)
            elif key in form.fields:
                form.add_error(key, errors)
            else:
                form.add_error(None, errors)
    else:
        form.add_error(None, exc.messages)


def _first_step_with_errors(form, formset, author_errors, file_errors) -> int:
    for step, names in STEP_FIELDS.items():
        if any(form.errors.get(name) for name in names):
            return step
    if form.non_field_errors():
        return 1
    if author_errors or file_errors or formset.total_error_count():
        return 4
    return 5


def _kept_from(request, file_errors: list[str]) -> list[KeptUpload]:
    """The files kept from an earlier try of the form (minus the ones the person dropped).
    A token that is not this person's, too old or tampered with is ignored, and said so."""
    dropped = set(request.POST.getlist("kept_files_drop"))
    kept = []
    gone = False
    for token in dict.fromkeys(request.POST.getlist("kept_files")):
        kept_file = kept_upload_load(user=request.user, token=token)
        if kept_file is None:
            gone = True
        elif token in dropped:
            kept_upload_discard(kept_file)
        else:
            kept.append(kept_file)
    if gone:
        file_errors.append(_(MSG_KEPT_FILE_GONE))
    return kept


def _keep_files(request, files, file_errors: list[str]) -> list[KeptUpload]:
    """The form had errors, so nothing was saved: keep the chosen files for the next try.
    A file refused as an attachment would be (type, size) is reported and not kept."""
    kept = []
    for uploaded in files:
        try:
            kept.append(kept_upload_store(user=request.user, uploaded=uploaded))
        except ValidationError as exc:
            file_errors.extend(exc.messages)
    return kept


def _edit(request, initiative, units):
    if request.method == "POST":
        return _edit_post(request, initiative, units)
    return _edit_get(request, initiative, units)


def _edit_get(request, initiative, units):
    viewer = request.user
    is_officer = _is_officer(viewer)
    if initiative is None:
        unit = _initial_unit(request, units)
        form = InitiativeForm(initial={"unit": unit, "client_token": uuid.uuid4()}, units=units)
        initial_authors = [] if is_officer else [_author_defaults(viewer, unit)]
    else:
        form = InitiativeForm(instance=initiative, units=units)
        initial_authors = [
            {
                "full_name": a.full_name,
                "date_of_birth": a.date_of_birth,
                "workplace": a.workplace,
                "job_title": a.job_title,
                "qualification": a.qualification,
                "contribution_percent": a.contribution_percent,
                "user_id": a.user_id,
            }
            for a in initiative.authors.all()
        ]
    formset = AuthorFormSet(prefix="authors", initial=initial_authors)
    formset.extra = 1
    return _form_page(
        request,
        initiative=initiative,
        form=form,
        formset=formset,
        uploads=AttachmentUploadForm(),
        step=query_int(request.GET, "buoc", default=1, low=1, high=5),
        is_officer=is_officer,
        on_behalf=is_officer and initiative is None,
    )


def _edit_post(request, initiative, units):
    """Validate the form, let `editing.initiative_edit` save (and submit), then redirect
    or show the form again with every error and nothing entered lost."""
    viewer = request.user
    form = InitiativeForm(request.POST, instance=initiative, units=units)
    formset = AuthorFormSet(request.POST, prefix="authors")
    uploads = AttachmentUploadForm(request.POST, request.FILES)
    action = request.POST.get("action", "draft")
    is_officer = _is_officer(viewer)
    on_behalf = is_officer and request.POST.get("on_behalf") == "1"
    author_errors: list[str] = []
    file_errors: list[str] = []
    form_ok, authors_ok, uploads_ok = form.is_valid(), formset.is_valid(), uploads.is_valid()
    if authors_ok and not form_ok:
        # Nothing is saved, but say everything wrong with the authors now, as an import
        # or the API would (the service checks them again when the form is saved).
        author_errors.extend(
            p.message for p in validation.draft_problems(values={}, authors=authors_from(formset))
        )
    if not uploads_ok:
        file_errors.extend(uploads.errors.get("files", []))
    files = uploads.cleaned_data.get("files", []) if uploads_ok else []
    kept = _kept_from(request, file_errors)
    result = editing.EditResult()
    if form_ok and authors_ok:
        result = editing.initiative_edit(
            viewer=viewer,
            initiative=initiative,
            data={name: form.cleaned_data[name] for name in form._meta.fields},
            authors=authors_from(formset),
            client_token=form.cleaned_data.get("client_token"),
            files=files,
            kept=kept,
            on_behalf=on_behalf,
            submit=action == "submit" and not file_errors,
        )
        file_errors.extend(result.file_errors)
        if result.error is not None:
            _apply_service_errors(result.error, form, author_errors)
        if result.token_taken:
            # A fresh token, so this person's next save makes their own draft.
            form.data = form.data.copy()
            form.data["client_token"] = str(uuid.uuid4())
    saved = result.saved
    if saved is None:
        # The form had errors: nothing was saved. The files chosen now are kept with
        # those kept before, so the next try need not pick them again.
        kept += _keep_files(request, files, file_errors)
        if kept:
            messages.info(request, _(MSG_FILES_KEPT))
    else:
        kept = []
    if result.stored:
        messages.success(request, _(MSG_FILES_SAVED).format(n=result.stored))
    if result.submitted is not None:
        messages.success(request, _(MSG_SUBMITTED))
        return redirect("initiatives:detail", pk=result.submitted.pk)
    if saved is not None and result.error is None and not file_errors:
        if not saved.is_editable:
            # The same form sent again after it was submitted: show what exists.
            return redirect("initiatives:detail", pk=saved.pk)
        messages.success(request, _(MSG_DRAFT_SAVED))
        next_step = query_int(request.POST, "step", default=1, low=1, high=5)
        url = reverse("initiatives:edit", args=[saved.pk])
        return redirect(f"{url}?buoc={next_step}")
    if saved is not None:
        initiative = saved
        refused_only = action != "submit" or (file_errors and not form.errors)
        messages.warning(
            request,
            _(MSG_DRAFT_SAVED_FILES_REFUSED if refused_only else MSG_FIX_BEFORE_SUBMIT),
        )
    else:
        messages.error(request, _(MSG_FIX_ERRORS))
    return _form_page(
        request,
        initiative=initiative,
        form=form,
        formset=formset,
        uploads=uploads,
        step=_first_step_with_errors(form, formset, author_errors, file_errors),
        is_officer=is_officer,
        on_behalf=on_behalf,
        author_errors=author_errors,
        file_errors=file_errors,
        kept=kept,
    )


def _form_page(
    request,
    *,
    initiative,
    form,
    formset,
    uploads,
    step: int,
    is_officer: bool,
    on_behalf: bool,
    author_errors: list[str] = (),
    file_errors: list[str] = (),
    kept: list[KeptUpload] = (),
):
    has_pk = initiative is not None and initiative.pk
    action_url = (
        reverse("initiatives:edit", args=[initiative.pk])
        if has_pk
        else reverse("initiatives:create")
    )
    return render(
        request,
        "initiatives/form.html",
        {
            "form": form,
            "formset": formset,
            "uploads": uploads,
            "initiative": initiative if has_pk else None,
            "attachments": list(initiative.attachments.all()) if has_pk else [],
            "author_errors": list(author_errors),
            "file_errors": list(file_errors),
            "kept_files": list(kept),
            # For the summary at the top: errors with no single field, and where they sit.
            "summary_errors": [(e, "author-errors") for e in author_errors]
            + [(e, "file-errors") for e in file_errors],
            "step": min(max(step, 1), 5),
            "step_titles": STEP_TITLES,
            "required_to_submit": REQUIRED_TO_SUBMIT,
            "is_officer": is_officer,
            "on_behalf": on_behalf,
            "action_url": action_url,
            "max_file_bytes": attachment_rules.max_file_bytes(),
            "max_total_bytes": attachment_rules.max_total_bytes(),
            "pending_membership": _pending_membership(request.user),
        },
        status=200,
    )


@login_required
def initiative_create(request):
    units = selectors.units_for_entry(viewer=request.user)
    if not units.exists():
        return render(request, "initiatives/no_unit.html", {"message": _(MSG_NO_UNIT)})
    return _edit(request, None, units)


@login_required
def initiative_edit(request, pk: int):
    initiative = selectors.initiative_get_for_viewer(viewer=request.user, pk=pk)
    if not initiative.is_editable:
        if selectors.can_read_confidential_text(request.user, initiative):
            messages.info(
                request,
                _(MSG_NOT_EDITABLE_NOW).format(status=initiative.get_status_display()),
            )
        return redirect("initiatives:detail", pk=pk)
    if not selectors.can_edit(request.user, initiative):
        raise Http404
    units = OrgUnit.objects.filter(
        Q(pk__in=selectors.units_for_entry(viewer=request.user).values("pk"))
        | Q(pk=initiative.unit_id)
    )
    return _edit(request, initiative, units)


# --- one initiative ----------------------------------------------------------------------


@login_required
def initiative_detail(request, pk: int):
    initiative = selectors.initiative_get_for_viewer(viewer=request.user, pk=pk)
    can_read = selectors.can_read_confidential_text(request.user, initiative)
    return render(
        request,
        "initiatives/detail.html",
        {
            "initiative": initiative,
            "can_read_text": can_read,
            "can_edit": selectors.can_edit(request.user, initiative),
            "authors": list(initiative.authors.all()) if can_read else [],
            "show_birth_dates": can_read
            and selectors.can_see_birth_dates(request.user, initiative),
            "attachments": list(initiative.attachments.all()) if can_read else [],
            "events": list(initiative.events.select_related("actor")),
            "is_public": initiative.status in selectors.PUBLIC_STATUSES,
            "poll_seconds": CHECK_POLL_SECONDS,
        },
    )


@login_required
def initiative_check_status(request, pk: int):
    """The check's box on the initiative page, polled by htmx until the check is done.

    Once done, the box it returns carries no trigger, so the polling stops."""
    initiative = selectors.initiative_get_for_viewer(viewer=request.user, pk=pk)
    return render(
        request,
        "initiatives/_check_status.html",
        {"initiative": initiative, "polled": True, "poll_seconds": CHECK_POLL_SECONDS},
    )


@login_required
def attachment_download(request, pk: int, attachment_id: int):
    initiative = selectors.initiative_get_for_viewer(viewer=request.user, pk=pk)
    if not selectors.can_read_confidential_text(request.user, initiative):
        raise Http404
    attachment = get_object_or_404(Attachment, pk=attachment_id, initiative=initiative)
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=attachment.extension not in ("pdf", "jpg", "png"),
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )


@login_required
@require_POST
def attachment_delete(request, pk: int, attachment_id: int):
    initiative = selectors.initiative_get_for_viewer(viewer=request.user, pk=pk)
    if not selectors.can_edit(request.user, initiative):
        raise Http404
    attachment = get_object_or_404(Attachment, pk=attachment_id, initiative=initiative)
    try:
        services.attachment_remove(attachment=attachment, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _(MSG_ATTACHMENT_REMOVED).format(name=attachment.original_name))
    return redirect(f"{reverse('initiatives:edit', args=[pk])}?buoc=4")


# --- lists ----------------------------------------------------------------------------------


@login_required
def initiative_mine(request):
    initiatives = selectors.initiative_list_mine(viewer=request.user)
    page = Paginator(initiatives, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "initiatives/mine.html", {"page": page})


@login_required
def initiative_list(request):
    filterset = InitiativeFilter.from_page(
        request.GET, selectors.initiative_list(viewer=request.user)
    )
    filters = filterset.page_values()
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "initiatives/list.html",
        {
            "page": page,
            "filters": filters,
            "statuses": Status.choices,
            "fields": Field.objects.filter(is_active=True),
            "groups": ParticipantGroup.choices,
            "is_officer": _is_officer(request.user),
        },
    )


# --- QR poster ------------------------------------------------------------------------------


@login_required
def poster_list(request):
    units = selectors.poster_units(viewer=request.user)
    if not _is_officer(request.user):
        raise Http404
    query = request.GET.get("q", "").strip()
    if query:
        units = units.filter(Q(name__icontains=query) | Q(code__iexact=query))
    page = Paginator(units, 50).get_page(request.GET.get("page"))
    return render(request, "initiatives/poster_list.html", {"page": page})


def _site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _qr_svg(url: str) -> str:
    image = qrcode.make(
        url,
        image_factory=qrcode.image.svg.SvgPathImage,
        box_size=10,
        border=2,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
    )
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@login_required
def poster(request, code: str):
    unit = selectors.poster_units(viewer=request.user).filter(code=code).first()
    if unit is None:
        raise Http404
    # One link for everyone: signed-in people go on to the form, others register first.
    # It is printed and scanned far from here: the public address (SITE_URL), never the
    # host this officer happened to reach (an internal name, a staging host).
    url = _site_url(registration_url(unit_code=unit.code))
    return render(
        request,
        "initiatives/poster.html",
        {"unit": unit, "url": url, "qr_src": _qr_svg(url), "ancestors": unit.get_ancestors()},
    )


# --- public library -------------------------------------------------------------------------


MSG_RECOGNISED = gettext_noop("Đã ghi quyết định công nhận cho {n} sáng kiến.")
RECOGNITION_PAGE = 100


@login_required
def recognition(request):
    """The unit's officers record a recognition decision for approved (or valid)
    initiatives of their subtree, one or many at once."""
    if not _is_officer(request.user):
        raise Http404
    candidates = selectors.recognisable_initiatives(viewer=request.user).order_by(
        "-decided_at", "-submitted_at", "pk"
    )
    page = Paginator(candidates, RECOGNITION_PAGE).get_page(request.GET.get("page"))
    if request.method == "POST":
        # ASCII digits only: "²".isdigit() is True and int() of it fails.
        ids = [int(i) for i in request.POST.getlist("ids") if i.isascii() and i.isdigit()]
        chosen = list(candidates.filter(pk__in=ids))
        form = RecognitionForm(request.POST, candidates=chosen)
        if form.is_valid():
            decision = services.RecognitionDecision(
                number=form.cleaned_data["number"],
                date=form.cleaned_data["date"],
                level=form.cleaned_data["level"],
                award=form.cleaned_data["award"],
            )
            try:
                done = services.initiatives_recognise(
                    initiatives=chosen, actor=request.user, decision=decision
                )
            except ValidationError as exc:
                _apply_service_errors(exc, form, [])
            else:
                messages.success(request, _(MSG_RECOGNISED).format(n=len(done)))
                return redirect("initiatives:recognition")
    else:
        form = RecognitionForm(candidates=[])
    return render(request, "initiatives/recognition.html", {"form": form, "page": page})


@reads_from_replica
@cached_public_page
def library(request):
    filterset = LibraryFilter.from_page(request.GET, selectors.public_library())
    filters = filterset.page_values()
    page = Paginator(filterset.qs, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "initiatives/library.html",
        {
            "page": page,
            "filters": filters,
            "fields": Field.objects.filter(is_active=True),
            "groups": ParticipantGroup.choices,
            "provinces": selectors.library_provinces(),
            "units": selectors.library_units(province_code=filters.province),
        },
    )


@reads_from_replica
@cached_public_page(may_lag=False)  # its text must go the moment it is made confidential
def library_detail(request, pk: int):
    initiative = selectors.public_initiative_get(pk=pk)
    return render(
        request,
        "initiatives/library_detail.html",
        {
            "initiative": initiative,
            # The public page never shows a confidential initiative's text, whoever looks.
            "show_text": not initiative.is_confidential,
            "authors": list(initiative.authors.all()) if not initiative.is_confidential else [],
            "share_url": _site_url(request.get_full_path()),
        },
    )


def home_redirect(request):
    if request.user.is_authenticated:
        return redirect("initiatives:mine")
    return redirect("initiatives:library")
