"""Finding: text extraction ran inside the upload request. A 230 KB DOCX inflating to
190 MB, or a 300-page PDF, held a web worker for minutes and gigabytes; a 300 MB
upload was read in full before it was refused.

Now the request only stores the file; a Celery task extracts the text in a child
process under hard limits, and a file over a limit is kept and marked."""

import io
import time
import zipfile

import pytest
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory

from core.uploads import CappedUploadHandler
from dedup.models import SimilarityCheck
from initiatives import attachments, extraction, services
from initiatives.models import Attachment, Initiative, Status
from portal.middleware import MSG_REQUEST_TOO_LARGE
from tests.factories import decree_fields
from tests.initiatives.submission_helpers import docx_bytes, form_data, minimal_pdf

pytestmark = pytest.mark.django_db

CREATE = "/sang-kien/moi/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def zip_bomb_docx(inflated_mb: int = 190) -> bytes:
    """A real DOCX with one extra part of zeros: small on the wire, huge inflated."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(docx_bytes("Sáng kiến"))) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bomb,
    ):
        for item in source.infolist():
            bomb.writestr(item, source.read(item))
        bomb.writestr("word/media/zeros.bin", b"\0" * (inflated_mb * 1024 * 1024))
    return buffer.getvalue()


def many_pages_pdf(pages: int) -> bytes:
    """A valid PDF of `pages` pages, each with a line of text."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    kids = []
    font = 3
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for number in range(pages):
        content = b"BT /F1 12 Tf 72 720 Td (Trang %d) Tj ET" % number
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        content_ref = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
            b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (content_ref, font)
        )
        kids.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), pages)
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def test_the_upload_request_does_not_extract_and_a_zip_bomb_is_kept_unextracted(
    client_for, personas, country, django_capture_on_commit_callbacks
):
    bomb = zip_bomb_docx()
    assert len(bomb) < 1024 * 1024
    data = form_data(country.grassroots_a)
    data["files"] = [SimpleUploadedFile("bom.docx", bomb)]
    client = client_for(personas.worker_a)
    with django_capture_on_commit_callbacks() as after_commit:
        started = time.monotonic()
        response = client.post(CREATE, data)
        request_seconds = time.monotonic() - started
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    # The request stored the file and nothing more.
    assert attachment.text_status == Attachment.TextStatus.PENDING
    assert request_seconds < 10

    started = time.monotonic()
    for callback in after_commit:
        callback()  # the extraction task (eager in tests)
    assert time.monotonic() - started < 20
    attachment.refresh_from_db()
    assert attachment.text_status == Attachment.TextStatus.NOT_EXTRACTED
    assert attachment.text_problem == extraction.INFLATES_TOO_MUCH
    assert attachment.file.storage.exists(attachment.file.name)  # kept

    page = client.get(f"/sang-kien/{attachment.initiative_id}/").content.decode()
    assert "Chưa trích được văn bản" in page and "tệp giải nén ra quá lớn" in page


def test_the_reviewer_sees_that_the_text_was_not_extracted(
    client_for, personas, country, django_capture_on_commit_callbacks
):
    draft = services.initiative_save_draft(
        entered_by=personas.worker_a,
        data=decree_fields(
            title="Băng tải", participant_group="enterprise", unit=country.grassroots_a
        ),
        authors=[services.AuthorData("Nguyễn Văn Tâm", 100)],
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.attachment_add(
            initiative=draft,
            uploaded_file=SimpleUploadedFile("dai.pdf", many_pages_pdf(250)),
            uploaded_by=personas.worker_a,
        )
    attachment = Attachment.objects.get()
    assert (attachment.text_status, attachment.text_problem) == (
        "not_extracted",
        extraction.TOO_MANY_PAGES,
    )
    services.initiative_submit(initiative=draft, actor=personas.worker_a)
    services.initiative_record_check(
        initiative=draft, flagged=True, copied_share=0.5, source_count=1
    )
    page = client_for(personas.reviewer_a).get(f"/sang-kien/{draft.pk}/").content.decode()
    assert "Chưa trích được văn bản" in page and "PDF quá nhiều trang" in page


def test_a_pdf_under_the_page_limit_is_read_with_pdfium(tmp_path):
    path = tmp_path / "dai.pdf"
    path.write_bytes(many_pages_pdf(150))
    started = time.monotonic()
    outcome = extraction.extract_in_child(path, "pdf", attachments.extraction_limits())
    assert time.monotonic() - started < 15
    assert outcome.status == extraction.DONE
    assert "Trang 0" in outcome.text and "Trang 149" in outcome.text


def test_the_child_is_held_to_its_memory_limit(tmp_path):
    path = tmp_path / "mo-ta.docx"
    path.write_bytes(docx_bytes("Sáng kiến"))
    tiny = extraction.Limits(memory_bytes=20 * 1024 * 1024)
    outcome = extraction.extract_in_child(path, "docx", tiny)
    assert (outcome.status, outcome.problem) == (
        extraction.NOT_EXTRACTED,
        extraction.OUT_OF_MEMORY_OR_CPU,
    )


def test_the_child_is_killed_at_its_wall_clock_limit(tmp_path):
    path = tmp_path / "dai.pdf"
    path.write_bytes(many_pages_pdf(150))
    outcome = extraction.extract_in_child(path, "pdf", extraction.Limits(wall_seconds=0.01))
    assert (outcome.status, outcome.problem) == (extraction.NOT_EXTRACTED, extraction.TIMED_OUT)


def test_too_many_zip_entries_are_not_inflated(tmp_path):
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(docx_bytes("x"))) as source,
        zipfile.ZipFile(buffer, "w") as many,
    ):
        for item in source.infolist():
            many.writestr(item, source.read(item))
        for number in range(3000):
            many.writestr(f"extra/part{number}.xml", b"<a/>")
    path = tmp_path / "nhieu.docx"
    path.write_bytes(buffer.getvalue())
    outcome = extraction.extract_in_child(path, "docx", attachments.extraction_limits())
    assert (outcome.status, outcome.problem) == (
        extraction.NOT_EXTRACTED,
        extraction.TOO_MANY_ENTRIES,
    )


def test_the_check_waits_for_the_attachment_text_then_includes_it(
    personas, country, empty_archive, django_capture_on_commit_callbacks
):
    draft = services.initiative_save_draft(
        entered_by=personas.worker_a,
        data=decree_fields(
            title="Băng tải", participant_group="enterprise", unit=country.grassroots_a
        ),
        authors=[services.AuthorData("Nguyễn Văn Tâm", 100)],
    )
    with django_capture_on_commit_callbacks() as extraction_later:
        services.attachment_add(
            initiative=draft,
            uploaded_file=SimpleUploadedFile("tm.pdf", minimal_pdf("Lap bien tan may nen")),
            uploaded_by=personas.worker_a,
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.initiative_submit(initiative=draft, actor=personas.worker_a)
    draft.refresh_from_db()
    assert draft.status == Status.CHECKING and not SimilarityCheck.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        for callback in extraction_later:
            callback()
    assert Initiative.objects.get().status != Status.CHECKING
    assert "Lap bien tan may nen" in SimilarityCheck.objects.get().checked_text


def test_a_declared_body_over_the_limit_is_refused_unread(client_for, personas, settings):
    response = client_for(personas.worker_a).post(
        CREATE, data=b"x", content_type="application/octet-stream", CONTENT_LENGTH=300 * 1024**2
    )
    assert response.status_code == 413
    assert MSG_REQUEST_TOO_LARGE.format(limit=32) == response.content.decode()


def test_an_import_page_takes_bigger_bodies(settings):
    from core.uploads import body_limit_for

    assert body_limit_for("/sang-kien/nhap/") == settings.IMPORT_REQUEST_BODY_MAX_BYTES
    assert body_limit_for(CREATE) == settings.REQUEST_BODY_MAX_BYTES


def test_a_streamed_body_is_stopped_at_the_limit(settings):
    settings.REQUEST_BODY_MAX_BYTES = 1000
    handler = CappedUploadHandler(RequestFactory().post(CREATE))
    handler.receive_data_chunk(b"x" * 600, 0)
    with pytest.raises(RequestDataTooBig):
        handler.receive_data_chunk(b"x" * 600, 600)
