"""Attachments: what a file really is (by its content, never its name) and its text.

`inspect_upload` reads the first bytes of an upload with `filetype` and accepts
only PDF, DOCX, XLSX, JPEG and PNG: a program renamed to ``.pdf`` is refused.
Size limits come from settings (`INITIATIVE_ATTACHMENT_MAX_BYTES` per file,
`INITIATIVE_ATTACHMENTS_TOTAL_MAX_BYTES` per initiative).

The text of PDF, DOCX and XLSX files (`Attachment.extracted_text`, for the
similarity check) is extracted after the upload by a Celery task, in a child
process under hard limits (`initiatives.extraction`); JPEG and PNG images and
scanned PDF pages are read by OCR (Tesseract, Vietnamese), marked as such.
"""

from __future__ import annotations

from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from initiatives.extraction import EXTRACTABLE, OCR_IMAGES, Limits

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


def extraction_limits() -> Limits:
    """The limits text extraction runs under (settings.ATTACHMENT_TEXT_LIMITS)."""
    return Limits(max_chars=MAX_EXTRACTED_CHARS, **settings.ATTACHMENT_TEXT_LIMITS)


def initial_text_status(extension: str) -> str:
    """PDF, DOCX and XLSX wait for the extraction task, and so do images (OCR)."""
    from initiatives.models import Attachment

    if extension in EXTRACTABLE or extension in OCR_IMAGES:
        return Attachment.TextStatus.PENDING
    return Attachment.TextStatus.NONE
