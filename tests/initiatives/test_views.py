import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from initiatives import attachments, forms, services, validation, views
from initiatives.models import Initiative, InitiativeEvent, Status
from tests.initiatives.submission_helpers import (
    EXE_BYTES,
    SECRET,
    form_data,
    make_initiative,
    minimal_pdf,
)

pytestmark = pytest.mark.django_db

CREATE = "/sang-kien/moi/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def pdf_upload(name="thuyet-minh.pdf", text="Bang tai phan loai tom"):
    return SimpleUploadedFile(name, minimal_pdf(text), content_type="application/pdf")


# --- the form: defaults ---------------------------------------------------------------------


def test_worker_form_defaults_to_their_unit_and_themselves_as_author(client_for, personas, country):
    response = client_for(personas.worker_a).get(CREATE)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<option value="{country.grassroots_a.pk}" selected>' in html
    assert 'value="Worker A"' in html  # first author
    assert 'name="authors-0-contribution_percent" value="100"' in html
    assert re.search(r'name="client_token" value="[0-9a-f-]{36}"', html)
    assert "Tôi nhập hộ đoàn viên" not in html
    # Inline help from the Decree is on the page.
    assert str(forms.HELP["improvements"]) in html


def test_qr_link_preselects_the_unit_for_an_officer(client_for, personas, country):
    response = client_for(personas.officer_a).get(f"{CREATE}?don_vi={country.grassroots_a2.code}")
    assert f'<option value="{country.grassroots_a2.pk}" selected>' in response.content.decode()


def test_qr_link_of_a_foreign_unit_is_explained_and_ignored(client_for, personas, country):
    response = client_for(personas.worker_a).get(f"{CREATE}?don_vi={country.grassroots_b.code}")
    html = response.content.decode()
    assert views.MSG_QR_UNIT_NOT_YOURS.format(unit=country.grassroots_b.name) in html
    assert f'<option value="{country.grassroots_a.pk}" selected>' in html
    assert f'value="{country.grassroots_b.pk}"' not in html


def test_a_person_without_a_unit_is_told_what_to_do(client_for, personas):
    response = client_for(personas.reviewer_a).get(CREATE)
    assert views.MSG_NO_UNIT in response.content.decode()


# --- the form: saving and submitting --------------------------------------------------------

QUERIES_PER_SUBMISSION = 60


def test_save_draft_then_submit_shows_checking(client_for, personas, country):
    client = client_for(personas.worker_a)
    token = uuid.uuid4()
    response = client.post(CREATE, form_data(country.grassroots_a, token=token))
    initiative = Initiative.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/sang-kien/{initiative.pk}/sua/?buoc=4"
    assert initiative.status == Status.DRAFT
    assert initiative.owner == personas.worker_a and initiative.entered_by == personas.worker_a
    assert initiative.client_token == token
    assert "bang tai phan loai tom" in initiative.search_text

    edit = f"/sang-kien/{initiative.pk}/sua/"
    response = client.post(edit, form_data(country.grassroots_a, action="submit"), follow=True)
    initiative.refresh_from_db()
    assert initiative.status == Status.CHECKING
    html = response.content.decode()
    assert "Đang kiểm tra" in html
    assert views.MSG_SUBMITTED in html
    assert Initiative.objects.count() == 1


def test_a_submission_pins_its_query_count(
    client_for, personas, country, django_assert_max_num_queries
):
    """A deadline rush is mostly this request (issue 16): 59 queries here (82 before).
    Counters move in one statement per table, the row is locked once per transaction
    and the stored row is not checked again against the database."""
    client = client_for(personas.worker_a)
    client.post(CREATE, form_data(country.grassroots_a))
    initiative = Initiative.objects.get()
    edit = f"/sang-kien/{initiative.pk}/sua/"
    client.get(edit)  # session and header figures cached, as for a person filling the form

    with django_assert_max_num_queries(QUERIES_PER_SUBMISSION):
        response = client.post(edit, form_data(country.grassroots_a, action="submit"))

    assert response.status_code == 302
    initiative.refresh_from_db()
    assert initiative.status == Status.CHECKING


def test_submitting_the_same_form_twice_creates_one_initiative(client_for, personas, country):
    client = client_for(personas.worker_a)
    data = form_data(country.grassroots_a, action="submit")
    first = client.post(CREATE, data)
    second = client.post(CREATE, data)
    initiative = Initiative.objects.get()
    assert initiative.status == Status.CHECKING
    assert first["Location"] == second["Location"] == f"/sang-kien/{initiative.pk}/"
    assert InitiativeEvent.objects.filter(transition="submit").count() == 1


def test_saving_the_new_form_twice_updates_the_same_draft(client_for, personas, country):
    client = client_for(personas.worker_a)
    token = uuid.uuid4()
    client.post(CREATE, form_data(country.grassroots_a, token=token))
    client.post(CREATE, form_data(country.grassroots_a, token=token, title="Tên đã sửa"))
    assert list(Initiative.objects.values_list("title", flat=True)) == ["Tên đã sửa"]


def test_incomplete_submission_is_saved_as_draft_and_says_what_is_missing(
    client_for, personas, country
):
    response = client_for(personas.worker_a).post(
        CREATE, form_data(country.grassroots_a, action="submit", description="", summary="")
    )
    assert response.status_code == 200
    html = response.content.decode()
    for label in ("mô tả bản chất của sáng kiến", "tóm tắt hiệu quả"):
        assert validation.MSG_REQUIRED.format(label=label) in html
    assert views.MSG_FIX_BEFORE_SUBMIT in html
    initiative = Initiative.objects.get()
    assert initiative.status == Status.DRAFT
    # The page now posts to the saved draft, and the entered text is still there.
    assert f'action="/sang-kien/{initiative.pk}/sua/"' in html
    assert "Phân loại tôm bằng tay chậm, sai cỡ nhiều." in html
    assert 'id="initiative-form" data-step="2"' in html  # opens at the step with the error


def test_contributions_must_total_100_to_submit(client_for, personas, country):
    authors = [("Nguyễn Văn Tâm", "60", ""), ("Lê Thị Hoà", "30", "")]
    response = client_for(personas.worker_a).post(
        CREATE, form_data(country.grassroots_a, action="submit", authors=authors)
    )
    html = response.content.decode()
    assert services.MSG_CONTRIBUTIONS_NOT_100.format(total="90") in html
    assert Initiative.objects.get().status == Status.DRAFT
    assert 'value="Lê Thị Hoà"' in html


def test_invalid_form_saves_nothing_and_keeps_every_word(client_for, personas, country):
    response = client_for(personas.worker_a).post(
        CREATE,
        form_data(country.grassroots_a, title="", first_applied_on="2099-01-01"),
        follow=False,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert views.MSG_FIX_ERRORS in html
    assert forms.MSG_DATE_IN_FUTURE in html
    assert "Lắp băng tải có khe hở tăng dần để tôm tự rơi theo cỡ." in html
    assert not Initiative.objects.exists()


def test_each_field_is_wrapped_for_the_steps_script_and_the_error_summary(
    client_for, personas, country
):
    """The wrapper (built by the `field_row` tag): the field's name for the steps'
    script, its label with the star of a field needed to hand in, the widget, the
    error the summary links to, and the help the widget is described by."""
    response = client_for(personas.worker_a).post(
        CREATE, form_data(country.grassroots_a, title="", first_applied_on="2099-01-01")
    )
    html = response.content.decode()
    date_field = re.search(
        r'<div class="field has-error" data-field="first_applied_on">.*?</div>\s*</div>', html, re.S
    )
    assert date_field, "the date's wrapper is marked as having an error"
    assert 'id="id_first_applied_on_error"' in date_field.group(0)
    assert forms.MSG_DATE_IN_FUTURE in date_field.group(0)
    title = re.search(
        r'<div class="field[^"]*" data-field="title">(.*?)\n</div>', html, re.S
    ).group(1)
    assert re.search(
        r'<label for="id_title">Tên sáng kiến <span class="required" title="bắt buộc">\*</span></label>',
        title,
    )
    assert '<input type="text" name="title"' in title
    assert re.search(
        r'<input type="text" name="title"[^>]*aria-describedby="[^"]*id_title_helptext', title
    )
    assert '<small class="help" id="id_title_helptext">' in title
    # Author rows: the delete box sits in the row's header, not among its fields.
    assert 'data-field="DELETE"' not in html


def test_author_row_needs_name_and_share(client_for, personas, country):
    response = client_for(personas.worker_a).post(
        CREATE,
        form_data(country.grassroots_a, authors=[("Nguyễn Văn Tâm", "100", ""), ("", "20", "")]),
    )
    assert forms.MSG_AUTHOR_NAME_REQUIRED in response.content.decode()
    assert not Initiative.objects.exists()


def test_a_worker_cannot_file_under_another_unit(client_for, personas, country):
    response = client_for(personas.worker_a).post(CREATE, form_data(country.grassroots_b))
    assert forms.MSG_UNIT_NOT_ALLOWED in response.content.decode()
    assert not Initiative.objects.exists()


def test_a_hidden_account_link_cannot_be_forged(client_for, personas, country):
    client_for(personas.worker_a).post(
        CREATE,
        form_data(
            country.grassroots_a,
            authors=[
                ("Worker A", "50", str(personas.worker_a.pk)),
                ("Ai đó", "50", str(personas.leader.pk)),
            ],
        ),
    )
    linked = list(Initiative.objects.get().authors.values_list("full_name", "user_id"))
    assert linked == [("Worker A", personas.worker_a.pk), ("Ai đó", None)]


def test_officer_enters_for_a_member_without_an_account(client_for, personas, country):
    client = client_for(personas.grassroots_officer_a)
    assert "Tôi nhập hộ đoàn viên" in client.get(CREATE).content.decode()
    data = form_data(
        country.grassroots_a,
        action="submit",
        on_behalf="1",
        authors=[("Trần Thị Bé", "70", ""), ("Phạm Văn Út", "30", "")],
    )
    response = client.post(CREATE, data)
    initiative = Initiative.objects.get()
    assert response["Location"] == f"/sang-kien/{initiative.pk}/"
    assert initiative.owner is None
    assert initiative.entered_by == personas.grassroots_officer_a
    assert initiative.status == Status.CHECKING
    assert list(initiative.authors.values_list("full_name", "user_id")) == [
        ("Trần Thị Bé", None),
        ("Phạm Văn Út", None),
    ]
    # It is in the officer's "my initiatives" (entered by them) and the unit's list.
    assert initiative.title in client.get("/sang-kien/cua-toi/").content.decode()
    assert initiative.title in client.get("/sang-kien/danh-sach/").content.decode()


def test_an_officer_with_very_many_units_types_the_unit_code(
    client_for, personas, country, monkeypatch
):
    monkeypatch.setattr(forms, "MAX_UNITS_IN_A_LIST", 1)
    client = client_for(personas.officer_a)
    html = client.get(f"{CREATE}?don_vi={country.grassroots_a2.code}").content.decode()
    assert f'name="unit" value="{country.grassroots_a2.code}"' in html
    assert str(forms.HELP_UNIT_CODE) in html
    response = client.post(
        CREATE,
        {**form_data(country.grassroots_a, on_behalf="1"), "unit": country.grassroots_a2.code},
    )
    assert response.status_code == 302
    initiative = Initiative.objects.get()
    assert initiative.unit == country.grassroots_a2
    edit = client.get(f"/sang-kien/{initiative.pk}/sua/").content.decode()
    assert f'name="unit" value="{country.grassroots_a2.code}"' in edit
    refused = client.post(
        CREATE, {**form_data(country.grassroots_a), "unit": country.grassroots_b.code}
    )
    assert forms.MSG_UNIT_NOT_ALLOWED in refused.content.decode()


def test_officer_cannot_enter_outside_their_scope(client_for, personas, country):
    response = client_for(personas.grassroots_officer_a).post(
        CREATE, form_data(country.grassroots_a2, on_behalf="1")
    )
    assert forms.MSG_UNIT_NOT_ALLOWED in response.content.decode()
    assert not Initiative.objects.exists()


# --- attachments through the form -----------------------------------------------------------


def test_pdf_uploaded_with_the_draft_is_kept_with_its_text(
    client_for, personas, country, django_capture_on_commit_callbacks
):
    client = client_for(personas.worker_a)
    data = form_data(country.grassroots_a)
    data["files"] = [pdf_upload()]
    with django_capture_on_commit_callbacks(execute=True):  # the extraction task, eager
        client.post(CREATE, data)
    attachment = Initiative.objects.get().attachments.get()
    assert attachment.original_name == "thuyet-minh.pdf"
    assert "Bang tai phan loai tom" in attachment.extracted_text
    download = client.get(f"/sang-kien/{attachment.initiative_id}/tep/{attachment.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_renamed_program_is_refused_and_the_rest_is_kept(client_for, personas, country):
    data = form_data(country.grassroots_a, action="submit")
    data["files"] = [SimpleUploadedFile("ban-ve.pdf", EXE_BYTES), pdf_upload("dung.pdf")]
    response = client_for(personas.worker_a).post(CREATE, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert attachments.MSG_TYPE_REFUSED.format(name="ban-ve.pdf") in html
    assert views.MSG_DRAFT_SAVED_FILES_REFUSED in html
    initiative = Initiative.objects.get()
    # Not submitted while a file was refused; the good file and every field are kept.
    assert initiative.status == Status.DRAFT
    assert list(initiative.attachments.values_list("original_name", flat=True)) == ["dung.pdf"]
    assert "Lắp băng tải có khe hở tăng dần để tôm tự rơi theo cỡ." in html
    assert 'data-testid="file-errors"' in html


def test_oversized_file_is_refused_with_the_limit(client_for, personas, country, settings):
    settings.INITIATIVE_ATTACHMENT_MAX_BYTES = 200
    data = form_data(country.grassroots_a)
    data["files"] = [pdf_upload("to.pdf", "x" * 500)]
    html = client_for(personas.worker_a).post(CREATE, data).content.decode()
    assert "“to.pdf” quá lớn" in html and "200\xa0byte" in html
    assert not Initiative.objects.get().attachments.exists()


def kept_tokens(html: str) -> list[str]:
    return re.findall(r'name="kept_files" value="([^"]+)"', html)


def test_a_file_chosen_on_a_form_with_errors_is_kept_until_the_form_is_saved(
    client_for, personas, country, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage

    client = client_for(personas.worker_a)
    data = form_data(country.grassroots_a, title="")
    data["files"] = [pdf_upload("ban-ve.pdf", "Ban ve bang tai")]
    response = client.post(CREATE, data)
    html = response.content.decode()
    # Nothing is saved (no draft, no attachment), but the file is kept and shown as such.
    assert views.MSG_FIX_ERRORS in html and views.MSG_FILES_KEPT in html
    assert not Initiative.objects.exists()
    assert "Đã chọn: <strong>ban-ve.pdf</strong> (giữ lại)" in html
    [token] = kept_tokens(html)
    [kept] = response.context["kept_files"]
    assert kept.path.startswith(f"kept-uploads/{personas.worker_a.pk}/")
    assert default_storage.exists(kept.path)

    # Still in error (a second try): the kept file stays, nothing picked again.
    data = form_data(country.grassroots_a, title="", kept_files=[token])
    html = client.post(CREATE, data).content.decode()
    assert kept_tokens(html) == [token]
    assert not Initiative.objects.exists()

    # Fixed: the draft is saved with the kept file attached, and the kept copy is gone.
    data = form_data(country.grassroots_a, kept_files=[token])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CREATE, data)
    assert response.status_code == 302
    initiative = Initiative.objects.get()
    attachment = initiative.attachments.get()
    assert (attachment.original_name, attachment.extension) == ("ban-ve.pdf", "pdf")
    assert attachment.uploaded_by == personas.worker_a
    assert not default_storage.exists(kept.path)
    # The token is spent: sent again, it attaches nothing more and says why.
    data = form_data(country.grassroots_a, kept_files=[token], title="Sửa lần hai")
    html = client.post(f"/sang-kien/{initiative.pk}/sua/", data).content.decode()
    assert initiative.attachments.count() == 1
    assert "không còn được giữ" in html


def test_a_kept_file_can_be_dropped_and_a_refused_one_is_not_kept(client_for, personas, country):
    from django.core.files.storage import default_storage

    client = client_for(personas.worker_a)
    data = form_data(country.grassroots_a, title="")
    data["files"] = [
        pdf_upload("giu.pdf"),
        SimpleUploadedFile("virus.pdf", EXE_BYTES, content_type="application/pdf"),
    ]
    response = client.post(CREATE, data)
    html = response.content.decode()
    # The program renamed to .pdf is refused by its content, as an attachment would be.
    assert attachments.MSG_TYPE_REFUSED.format(name="virus.pdf") in html
    [kept] = response.context["kept_files"]
    assert kept.name == "giu.pdf"
    data = form_data(country.grassroots_a, kept_files=[kept.token], kept_files_drop=[kept.token])
    assert client.post(CREATE, data).status_code == 302
    assert not Initiative.objects.get().attachments.exists()
    assert not default_storage.exists(kept.path)


def test_attachment_can_be_removed_from_a_draft_only_by_its_editors(client_for, personas, country):
    draft = make_initiative(
        unit=country.grassroots_a, entered_by=personas.worker_a, owner=personas.worker_a
    )
    attachment = services.attachment_add(
        initiative=draft, uploaded_file=pdf_upload(), uploaded_by=personas.worker_a
    )
    url = f"/sang-kien/{draft.pk}/tep/{attachment.pk}/xoa/"
    assert client_for(personas.reviewer_a).post(url).status_code == 404
    assert client_for(personas.worker_a).post(url).status_code == 302
    assert not draft.attachments.exists()


# --- returned, history, my initiatives ------------------------------------------------------


def test_returned_initiative_shows_the_reason_and_can_be_resubmitted(client_for, personas, country):
    initiative = make_initiative(
        unit=country.grassroots_a,
        entered_by=personas.worker_a,
        owner=personas.worker_a,
        state="returned",
        reviewer=personas.reviewer_a,
    )
    client = client_for(personas.worker_a)
    mine = client.get("/sang-kien/cua-toi/").content.decode()
    assert "Bổ sung số liệu đo điện năng." in mine and "Trả lại để sửa" in mine
    detail = client.get(f"/sang-kien/{initiative.pk}/").content.decode()
    assert "Sửa và nộp lại" in detail
    assert "Bổ sung số liệu đo điện năng." in detail
    assert detail.count('class="when"') == 1 + initiative.events.count()

    response = client.post(
        f"/sang-kien/{initiative.pk}/sua/", form_data(country.grassroots_a, action="submit")
    )
    assert response.status_code == 302
    initiative.refresh_from_db()
    assert initiative.status == Status.CHECKING
    assert initiative.title == "Cải tiến băng tải phân loại tôm"
    assert list(initiative.events.values_list("transition", flat=True))[-2:] == [
        "resubmit",
        "start_check",
    ]


def test_a_submitted_initiative_cannot_be_edited(client_for, personas, country):
    initiative = make_initiative(
        unit=country.grassroots_a,
        entered_by=personas.worker_a,
        owner=personas.worker_a,
        state="checking",
    )
    client = client_for(personas.worker_a)
    response = client.post(f"/sang-kien/{initiative.pk}/sua/", form_data(country.grassroots_a))
    assert response.status_code == 302
    assert response["Location"] == f"/sang-kien/{initiative.pk}/"
    initiative.refresh_from_db()
    assert initiative.title == "Cải tiến dây chuyền cấp đông tôm"


# --- confidentiality on every page ------------------------------------------------------------


@pytest.fixture
def secret(country, personas):
    draft = make_initiative(
        unit=country.grassroots_a,
        entered_by=personas.grassroots_officer_a,
        confidential=True,
        title="Công thức ướp tôm bí mật",
        description="Ngâm tôm trong dung dịch muối khoáng theo tỷ lệ riêng.",
    )
    services.attachment_add(
        initiative=draft, uploaded_file=pdf_upload("cong-thuc.pdf"), uploaded_by=None
    )
    services.initiative_submit(initiative=draft, actor=personas.grassroots_officer_a)
    services.initiative_record_check(
        initiative=draft, flagged=True, copied_share=0.0, source_count=0
    )
    return services.initiative_decide(
        initiative=draft, reviewer=personas.reviewer_a, decision="approve"
    )


def test_confidential_detail_shows_text_only_inside_the_chain(client_for, personas, secret):
    attachment = secret.attachments.get()
    url = f"/sang-kien/{secret.pk}/"
    file_url = f"/sang-kien/{secret.pk}/tep/{attachment.pk}/"
    for viewer in (personas.reviewer_a, personas.officer_a, personas.grassroots_officer_a):
        html = client_for(viewer).get(url).content.decode()
        assert SECRET in html and "muối khoáng" in html and "cong-thuc.pdf" in html
        assert client_for(viewer).get(file_url).status_code == 200
    html = client_for(personas.leader).get(url).content.decode()
    assert "Công thức ướp tôm bí mật" in html and "Giảm 12% điện năng." in html
    assert SECRET not in html and "muối khoáng" not in html and "Nguyễn Văn Tâm" not in html
    assert "cong-thuc.pdf" not in html and 'data-testid="confidential-notice"' in html
    assert client_for(personas.leader).get(file_url).status_code == 404
    # A reviewer's reason may quote the secret: it stays inside the chain too.
    Initiative.objects.filter(pk=secret.pk).update(review_note=f"Trích: {SECRET}")
    secret.events.update(reason=f"Trích: {SECRET}")
    secret.events.filter(to_status="approved").update(to_status="returned")
    Initiative.objects.filter(pk=secret.pk).update(status="returned")
    assert SECRET not in client_for(personas.leader).get(url).content.decode()
    assert f"Trích: {SECRET}" in client_for(personas.reviewer_a).get(url).content.decode()
    assert client_for(personas.reviewer_b).get(url).status_code == 404


def test_confidential_text_never_appears_in_lists_or_the_library(client_for, personas, secret):
    for viewer, path in [
        (personas.leader, "/sang-kien/danh-sach/"),
        (personas.reviewer_a, "/sang-kien/danh-sach/"),
        (personas.grassroots_officer_a, "/sang-kien/cua-toi/"),
        (None, "/sang-kien/thu-vien/"),
        (None, "/sang-kien/thu-vien/?q=muoi+khoang"),
    ]:
        html = client_for(viewer).get(path).content.decode()
        assert SECRET not in html and "muối khoáng" not in html, (viewer, path)
    library = client_for(None).get("/sang-kien/thu-vien/").content.decode()
    assert "Công thức ướp tôm bí mật" not in library
    public = client_for(personas.reviewer_a).get(f"/sang-kien/thu-vien/{secret.pk}/")
    html = public.content.decode()
    assert public.status_code == 200 and "Công thức ướp tôm bí mật" in html
    # The public page hides the text even from those who may read it elsewhere.
    assert SECRET not in html and "muối khoáng" not in html and "Nguyễn Văn Tâm" not in html


# --- the public library -----------------------------------------------------------------------


def test_library_search_without_accents_and_shareable_page(client_for, personas, country, settings):
    settings.SITE_URL = "https://sangkien.congdoan.vn"
    approved = make_initiative(
        unit=country.grassroots_a,
        entered_by=personas.worker_a,
        state="approved",
        reviewer=personas.reviewer_a,
        title="Sáng kiến cải tiến máy cấp đông",
    )
    make_initiative(unit=country.grassroots_a, entered_by=personas.worker_a, state="checking")
    client = client_for(None)
    html = client.get("/sang-kien/thu-vien/", {"q": "sang kien cai tien"}).content.decode()
    assert "Sáng kiến cải tiến máy cấp đông" in html
    assert "1 sáng kiến" in html
    assert "0 sáng kiến" in client.get("/sang-kien/thu-vien/", {"q": "xyz"}).content.decode()
    page = client.get(f"/sang-kien/thu-vien/{approved.pk}/")
    assert page.status_code == 200
    # The share link is the public address (SITE_URL), whatever host served the page.
    assert f"{settings.SITE_URL}/sang-kien/thu-vien/{approved.pk}/" in page.content.decode()
    # Private data of authors (date of birth, workplace) is not public.
    assert "Phân xưởng 2" not in page.content.decode()


def test_library_hides_what_is_not_approved(client_for, personas, country):
    checking = make_initiative(
        unit=country.grassroots_a, entered_by=personas.worker_a, state="checking"
    )
    assert client_for(None).get(f"/sang-kien/thu-vien/{checking.pk}/").status_code == 404


# --- QR poster -----------------------------------------------------------------------------------


def test_poster_links_to_registration_with_the_unit(client_for, personas, country, settings):
    settings.SITE_URL = "https://sangkien.congdoan.vn/"
    settings.ALLOWED_HOSTS = ["portal.internal", "testserver"]
    response = client_for(personas.grassroots_officer_a).get(
        f"/sang-kien/ap-phich/{country.grassroots_a.code}/", HTTP_HOST="portal.internal"
    )
    html = response.content.decode()
    assert response.status_code == 200
    # Registration sends signed-in people on to the form with the unit; the poster
    # carries the public address, not the host the officer reached.
    expected = f"https://sangkien.congdoan.vn/tai-khoan/dang-ky/?don-vi={country.grassroots_a.code}"
    assert expected in html
    assert "portal.internal" not in html
    # The QR code encodes the public address too.
    from initiatives.views import _qr_svg

    assert f'src="{_qr_svg(expected)}"' in html
    assert country.grassroots_a.name in html
    assert (
        client_for(personas.grassroots_officer_a)
        .get(f"/sang-kien/ap-phich/{country.grassroots_a2.code}/")
        .status_code
        == 404
    )


# --- query counts -----------------------------------------------------------------------------


@pytest.fixture
def many(country, personas):
    for index in range(30):
        make_initiative(
            unit=country.grassroots_a if index % 2 else country.grassroots_a2,
            entered_by=personas.worker_a,
            owner=personas.worker_a,
            state="approved" if index % 3 else "returned",
            reviewer=personas.reviewer_a,
            title=f"Sáng kiến số {index}",
        )


@pytest.mark.parametrize(
    ("persona", "path", "max_queries"),
    [
        # Measured 8, 8, 6, 4, 5 with 30 initiatives (25 a page); +2 for the site shell,
        # +1 for a signed-in viewer's unread-notice badge.
        ("officer_a", "/sang-kien/danh-sach/", 11),
        ("officer_a", "/sang-kien/danh-sach/?trang_thai=approved&linh_vuc=che-bien&q=sang", 11),
        ("worker_a", "/sang-kien/cua-toi/", 9),
        (None, "/sang-kien/thu-vien/", 6),
        (None, "/sang-kien/thu-vien/?q=sang+kien&tinh=LDLD92&page=2", 7),
    ],
)
def test_list_pages_pin_their_query_count(
    many, personas, client_for, django_assert_max_num_queries, persona, path, max_queries
):
    client = client_for(personas.by_name(persona) if persona else None)
    with django_assert_max_num_queries(max_queries):
        response = client.get(path)
    assert response.status_code == 200
    assert "Sáng kiến số" in response.content.decode()


def test_unit_list_filters(client_for, personas, country, many):
    client = client_for(personas.officer_a)
    html = client.get(
        "/sang-kien/danh-sach/", {"trang_thai": "returned", "don_vi": country.grassroots_a.code}
    ).content.decode()
    shown = set(re.findall(r"Sáng kiến số (\d+)<", html))
    expected = {str(i) for i in range(30) if i % 2 and not i % 3}
    assert shown == expected
    assert reverse("initiatives:poster-list") in html
