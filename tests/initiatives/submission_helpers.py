"""Small real files and initiatives in known states, for the submission tests.

PDFs are written by hand (a one-page PDF with a Helvetica text object) so the
tests need no PDF library; DOCX files come from python-docx.
"""

from __future__ import annotations

import io
from decimal import Decimal

import docx
from PIL import Image

from initiatives import services
from initiatives.models import Field, Initiative, ParticipantGroup

# The first bytes of a Windows program ("MZ" header, then the DOS stub).
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 240


def minimal_pdf(text: str) -> bytes:
    """A valid one-page PDF whose text layer is `text` (ASCII)."""
    content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
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


def docx_bytes(*paragraphs: str) -> bytes:
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return buffer.getvalue()


def make_field() -> Field:
    return Field.objects.get_or_create(code="che-bien", defaults={"name": "Chế biến thủy sản"})[0]


SECRET = "Nhiệt độ cài đặt bí mật âm 42 độ"


def make_initiative(
    *,
    unit,
    entered_by,
    owner=None,
    title="Cải tiến dây chuyền cấp đông tôm",
    state="draft",
    confidential=False,
    reviewer=None,
    description="Lắp biến tần cho máy nén lạnh của dây chuyền cấp đông.",
    author_user=None,
) -> Initiative:
    """An initiative moved through the real services to `state`."""
    initiative = services.initiative_save_draft(
        entered_by=entered_by,
        data={
            "title": title,
            "summary": "Giảm 12% điện năng.",
            "field": make_field(),
            "participant_group": ParticipantGroup.ENTERPRISE,
            "unit": unit,
            "owner": owner,
            "problem": "Máy nén chạy hết công suất cả khi tải thấp.",
            "description": description,
            "confidential_info": SECRET if confidential else "",
            "is_confidential": confidential,
        },
        authors=[
            services.AuthorData(
                "Nguyễn Văn Tâm",
                Decimal(100),
                user_id=author_user.pk if author_user else None,
                workplace="Phân xưởng 2",
            )
        ],
    )
    if state == "draft":
        return initiative
    initiative = services.initiative_submit(initiative=initiative, actor=entered_by)
    if state == "checking":
        return initiative
    initiative = services.initiative_record_check(
        initiative=initiative, flagged=state != "valid", copied_share=0.0, source_count=0
    )
    if state in ("valid", "flagged"):
        return initiative
    decision = {"approved": "approve", "returned": "return", "rejected": "reject"}[state]
    return services.initiative_decide(
        initiative=initiative,
        reviewer=reviewer,
        decision=decision,
        reason="" if decision == "approve" else "Bổ sung số liệu đo điện năng.",
    )
