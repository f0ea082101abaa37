"""Attachments: what a file really is (by its content, never its name) and its text.

`inspect_upload` reads the first bytes of an upload with `filetype` and accepts
only PDF, DOCX, XLSX, JPEG and PNG: a program renamed to ``.pdf`` is refused.
Size limits come from settings (`INITIATIVE_ATTACHMENT_MAX_BYTES` per file,
`INITIATIVE_ATTACHMENTS_TOTAL_MAX_BYTES` per initiative).

`extract_text` pulls the text out of PDF and DOCX files for the similarity
check (`Attachment.extracted_text`); images and spreadsheets give none.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

logger = logging.getLogger(__name__)

MSG_TYPE_REFUSED = gettext_noop(
    "Tệp “{name}” không được nhận: chỉ nhận PDF, Word (DOCX), Excel (XLSX), ảnh JPEG hoặc PNG "
    "(kiểm tra theo nội dung tệp, không theo tên)."
)
MSG_FILE_TOO_LARGE = gettext_noop("Tệp “{name}” quá lớn ({size}); mỗi tệp tối đa {limit}.")
MSG_TOTAL_TOO_LARGE = gettext_noop(
    "Không thể thêm tệp “{name}”: tổng dung lượng tệp đính kèm của một sáng kiến tối đa {limit} "
    "(đã dùng {used})."
)
MSG_EMPTY_FILE = gettext_noop("Tệp “{name}” rỗng.")

# extension -> MIME type, as `filetype` names them.
ALLOWED_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jpg": "image/jpeg",
    "png": "image/png",
}
# What the file input offers; only a hint to the browser, the content decides.
ACCEPT_ATTRIBUTE = ".pdf,.docx,.xlsx,.jpg,.jpeg,.png"
# Enough of the file for `filetype` to recognise Office documents inside the ZIP.
SNIFF_BYTES = 8192
# The similarity check needs the words, not a whole book: cap what is kept.
MAX_EXTRACTED_CHARS = 300_000
MAX_PDF_PAGES = 300
MAX_DOCX_INFLATED_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class CheckedFile:
    extension: str
    content_type: str
    size: int


def max_file_bytes() -> int:
    return settings.INITIATIVE_ATTACHMENT_MAX_BYTES


def max_total_bytes() -> int:
    return settings.INITIATIVE_ATTACHMENTS_TOTAL_MAX_BYTES


def _head(uploaded) -> bytes:
    uploaded.seek(0)
    head = uploaded.read(SNIFF_BYTES)
    uploaded.seek(0)
    return head


def sniff_type(head: bytes) -> tuple[str, str] | None:
    """(extension, MIME type) of an allowed file, judged by its first bytes; else None."""
    kind = filetype.guess(head)
    if kind is None:
        return None
    extension = "jpg" if kind.extension in ("jpg", "jpeg") else kind.extension
    if extension not in ALLOWED_TYPES:
        return None
    return extension, ALLOWED_TYPES[extension]


def _office_document_in_zip(uploaded) -> tuple[str, str] | None:
    """A DOCX or XLSX whose parts `filetype` did not see in the first bytes: read the ZIP's
    table of contents (still the content, not the name)."""
    import zipfile

    uploaded.seek(0)
    try:
        if not zipfile.is_zipfile(uploaded):
            return None
        uploaded.seek(0)
        with zipfile.ZipFile(uploaded) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return None
    finally:
        uploaded.seek(0)
    if "[Content_Types].xml" not in names:
        return None
    for extension, part in (("docx", "word/document.xml"), ("xlsx", "xl/workbook.xml")):
        if part in names:
            return extension, ALLOWED_TYPES[extension]
    return None


def inspect_upload(uploaded, *, already_used: int = 0) -> CheckedFile:
    """Check one upload's type by content and its size; raise ValidationError in Vietnamese."""
    name = uploaded.name
    size = uploaded.size or 0
    if size == 0:
        raise ValidationError(_(MSG_EMPTY_FILE).format(name=name), code="empty")
    if size > max_file_bytes():
        raise ValidationError(
            _(MSG_FILE_TOO_LARGE).format(
                name=name, size=filesizeformat(size), limit=filesizeformat(max_file_bytes())
            ),
            code="too_large",
        )
    if already_used + size > max_total_bytes():
        raise ValidationError(
            _(MSG_TOTAL_TOO_LARGE).format(
                name=name,
                limit=filesizeformat(max_total_bytes()),
                used=filesizeformat(already_used),
            ),
            code="total_too_large",
        )
    sniffed = sniff_type(_head(uploaded)) or _office_document_in_zip(uploaded)
    if sniffed is None:
        raise ValidationError(_(MSG_TYPE_REFUSED).format(name=name), code="type")
    extension, content_type = sniffed
    return CheckedFile(extension=extension, content_type=content_type, size=size)


def _pdf_text(fileobj) -> str:
    from pypdf import PdfReader

    reader = PdfReader(fileobj)
    parts, total = [], 0
    for page in reader.pages[:MAX_PDF_PAGES]:
        text = page.extract_text() or ""
        parts.append(text)
        total += len(text)
        if total >= MAX_EXTRACTED_CHARS:
            break
    return "\n".join(parts)


def _docx_text(fileobj) -> str:
    import zipfile

    import docx

    # A DOCX is a ZIP: refuse to inflate a "zip bomb" that is small on the wire.
    with zipfile.ZipFile(fileobj) as archive:
        inflated = sum(member.file_size for member in archive.infolist())
    if inflated > MAX_DOCX_INFLATED_BYTES:
        logger.warning("DOCX attachment inflates to %s bytes; text not extracted", inflated)
        return ""
    fileobj.seek(0)
    document = docx.Document(fileobj)
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(p for p in parts if p.strip())


def extract_text(fileobj, extension: str) -> str:
    """The text of a PDF or DOCX (empty for other types, or if the file cannot be read).

    A damaged document must not stop the submission: it is kept, and the check
    simply has less text to compare.
    """
    readers = {"pdf": _pdf_text, "docx": _docx_text}
    reader = readers.get(extension)
    if reader is None:
        return ""
    try:
        fileobj.seek(0)
        text = reader(fileobj)
    except Exception:  # noqa: BLE001 - pypdf/python-docx raise many kinds on broken files
        logger.warning("could not extract text from an attachment (%s)", extension, exc_info=True)
        return ""
    finally:
        fileobj.seek(0)
    return text.replace("\x00", "")[:MAX_EXTRACTED_CHARS]
