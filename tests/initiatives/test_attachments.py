import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from initiatives import attachments, extraction, services
from initiatives.models import Attachment
from tests.initiatives.submission_helpers import (
    EXE_BYTES,
    docx_bytes,
    make_initiative,
    minimal_pdf,
    png_bytes,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def draft(country, personas):
    return make_initiative(
        unit=country.grassroots_a, entered_by=personas.worker_a, owner=personas.worker_a
    )


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.mark.parametrize(
    ("name", "content", "extension"),
    [
        ("bao-cao.pdf", minimal_pdf("Bien tan"), "pdf"),
        ("mo-ta.docx", docx_bytes("Mô tả"), "docx"),
        ("anh.png", png_bytes(), "png"),
        # The name does not matter, only the content: a PDF called .jpg is a PDF.
        ("ten-sai.jpg", minimal_pdf("x"), "pdf"),
    ],
)
def test_allowed_types_are_recognised_by_content(name, content, extension):
    checked = attachments.inspect_upload(upload(name, content))
    assert checked.extension == extension
    assert checked.content_type == attachments.ALLOWED_TYPES[extension]


def test_a_renamed_program_is_refused_with_its_name():
    with pytest.raises(ValidationError) as error:
        attachments.inspect_upload(upload("ban-ve.pdf", EXE_BYTES))
    assert error.value.messages == [attachments.MSG_TYPE_REFUSED.format(name="ban-ve.pdf")]


def test_a_plain_zip_or_text_is_refused():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", "x")
    for content in (buffer.getvalue(), "văn bản thường".encode()):
        with pytest.raises(ValidationError):
            attachments.inspect_upload(upload("tai-lieu.docx", content))


def test_size_limits_come_from_settings(settings):
    settings.INITIATIVE_ATTACHMENT_MAX_BYTES = 1000
    settings.INITIATIVE_ATTACHMENTS_TOTAL_MAX_BYTES = 3000
    big = minimal_pdf("x" * 1200)
    with pytest.raises(ValidationError) as error:
        attachments.inspect_upload(upload("lon.pdf", big))
    assert "lon.pdf" in error.value.messages[0] and "quá lớn" in error.value.messages[0]
    small = minimal_pdf("x")
    with pytest.raises(ValidationError) as error:
        attachments.inspect_upload(upload("them.pdf", small), already_used=2900)
    assert "tổng dung lượng" in error.value.messages[0]


def test_pdf_and_docx_text_is_extracted_for_the_check(
    draft, personas, django_capture_on_commit_callbacks
):
    # The text is extracted after commit, by a Celery task (eager here).
    with django_capture_on_commit_callbacks(execute=True):
        pdf = services.attachment_add(
            initiative=draft,
            uploaded_file=upload("thuyet-minh.pdf", minimal_pdf("Lap bien tan cho may nen lanh")),
            uploaded_by=personas.worker_a,
        )
        word = services.attachment_add(
            initiative=draft,
            uploaded_file=upload("mo-ta.docx", docx_bytes("Sáng kiến cải tiến cấp đông", "Bước 2")),
            uploaded_by=personas.worker_a,
        )
        image = services.attachment_add(
            initiative=draft,
            uploaded_file=upload("anh.png", png_bytes()),
            uploaded_by=personas.worker_a,
        )
    for attachment in (pdf, word, image):
        attachment.refresh_from_db()
    assert "Lap bien tan cho may nen lanh" in pdf.extracted_text
    assert "Sáng kiến cải tiến cấp đông" in word.extracted_text
    assert (pdf.text_status, word.text_status, image.text_status) == ("done", "done", "none")
    assert image.extracted_text == ""
    assert (pdf.extension, pdf.original_name, pdf.size) == (
        "pdf",
        "thuyet-minh.pdf",
        len(minimal_pdf("Lap bien tan cho may nen lanh")),
    )
    # The stored name is random and keeps the checked extension, never the uploaded name.
    assert pdf.file.name.endswith(".pdf") and "thuyet-minh" not in pdf.file.name


def test_a_damaged_pdf_is_kept_without_text(tmp_path):
    broken = b"%PDF-1.4\n garbage without objects"
    checked = attachments.inspect_upload(upload("hong.pdf", broken))
    assert checked.extension == "pdf"
    path = tmp_path / "hong.pdf"
    path.write_bytes(broken)
    outcome = extraction.extract_in_child(path, "pdf", attachments.extraction_limits())
    assert (outcome.status, outcome.text, outcome.problem) == (
        "not_extracted",
        "",
        extraction.UNREADABLE,
    )


def test_refused_upload_stores_nothing(draft, personas):
    with pytest.raises(ValidationError):
        services.attachment_add(
            initiative=draft,
            uploaded_file=upload("virus.pdf", EXE_BYTES),
            uploaded_by=personas.worker_a,
        )
    assert not Attachment.objects.exists()


def test_total_per_initiative_is_enforced_by_the_service(draft, personas, settings):
    settings.INITIATIVE_ATTACHMENTS_TOTAL_MAX_BYTES = len(minimal_pdf("a")) * 2 + 10
    for name in ("1.pdf", "2.pdf"):
        services.attachment_add(
            initiative=draft, uploaded_file=upload(name, minimal_pdf("a")), uploaded_by=None
        )
    with pytest.raises(ValidationError):
        services.attachment_add(
            initiative=draft, uploaded_file=upload("3.pdf", minimal_pdf("a")), uploaded_by=None
        )
    assert draft.attachments.count() == 2


def test_files_cannot_change_once_submitted(draft, personas):
    attachment = services.attachment_add(
        initiative=draft, uploaded_file=upload("1.pdf", minimal_pdf("a")), uploaded_by=None
    )
    services.initiative_submit(initiative=draft, actor=personas.worker_a)
    with pytest.raises(ValidationError) as error:
        services.attachment_add(
            initiative=draft, uploaded_file=upload("2.pdf", minimal_pdf("a")), uploaded_by=None
        )
    assert services.MSG_ATTACHMENT_NOT_EDITABLE in error.value.messages
    with pytest.raises(ValidationError):
        services.attachment_remove(attachment=attachment, actor=personas.worker_a)


def test_removing_a_file_deletes_it_from_storage(
    draft, personas, django_capture_on_commit_callbacks
):
    attachment = services.attachment_add(
        initiative=draft, uploaded_file=upload("1.pdf", minimal_pdf("a")), uploaded_by=None
    )
    storage, name = attachment.file.storage, attachment.file.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        services.attachment_remove(attachment=attachment, actor=personas.worker_a)
    assert not storage.exists(name)
    assert not draft.attachments.exists()


def test_a_docx_that_inflates_too_much_is_kept_without_text(tmp_path):
    content = docx_bytes("Sáng kiến " * 500)
    assert attachments.inspect_upload(upload("to.docx", content)).extension == "docx"
    path = tmp_path / "to.docx"
    path.write_bytes(content)
    limits = extraction.Limits(max_zip_inflated_bytes=1000)
    outcome = extraction.extract_in_child(path, "docx", limits)
    assert (outcome.status, outcome.problem) == ("not_extracted", extraction.INFLATES_TOO_MUCH)


def test_an_office_file_with_its_parts_late_in_the_zip_is_still_recognised():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("docProps/thumbnail.bin", b"\0" * 20000)  # pushes the parts past 8 KB
        archive.writestr("xl/workbook.xml", "<workbook/>")
    checked = attachments.inspect_upload(upload("bang-tinh.xlsx", buffer.getvalue()))
    assert checked.extension == "xlsx"
