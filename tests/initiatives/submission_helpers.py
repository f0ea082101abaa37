"""Small real files and initiatives in known states, for the submission tests.

PDFs are written by hand (a one-page PDF with a Helvetica text object) so the
tests need no PDF library; DOCX files come from python-docx.
"""

from __future__ import annotations

import io
import uuid
from decimal import Decimal

import docx
from PIL import Image

from initiatives import services
from initiatives.models import Field, Initiative, ParticipantGroup
from tests.factories import decree_fields

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


DEJAVU_SANS = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def scanned_page(text: str) -> Image.Image:
    """``text`` printed on a white A4-ish page at ~150 dpi, as a scanner gives it:
    pixels only, no text layer (fonts-dejavu-core draws the Vietnamese letters)."""
    import textwrap

    from PIL import ImageDraw, ImageFont

    font = ImageFont.truetype(DEJAVU_SANS, 30)
    page = Image.new("L", (1240, 1754), 255)
    draw = ImageDraw.Draw(page)
    y = 100
    for line in textwrap.wrap(text, 60):
        draw.text((90, y), line, font=font, fill=0)
        y += 48
    return page


def scanned_png(text: str) -> bytes:
    buffer = io.BytesIO()
    scanned_page(text).save(buffer, "PNG")
    return buffer.getvalue()


def scanned_pdf(*pages: str) -> bytes:
    """A PDF of page images only (what a scanner or "print to PDF" of photos makes)."""
    images = [scanned_page(text).convert("RGB") for text in pages]
    buffer = io.BytesIO()
    images[0].save(buffer, "PDF", resolution=150, save_all=True, append_images=images[1:])
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
            **decree_fields(),
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


def form_data(unit, token=None, action="draft", authors=None, **overrides) -> dict:
    authors = authors if authors is not None else [("Nguyễn Văn Tâm", "100", "")]
    data = {
        "client_token": str(token or uuid.uuid4()),
        "action": action,
        "step": "4",
        "title": "Cải tiến băng tải phân loại tôm",
        "field": str(make_field().pk),
        "participant_group": "enterprise",
        "unit": str(unit.pk),
        "problem": "Phân loại tôm bằng tay chậm, sai cỡ nhiều.",
        "description": "Lắp băng tải có khe hở tăng dần để tôm tự rơi theo cỡ.",
        "prior_solution": "",
        "improvements": "Không cần người phân loại ở đầu dây chuyền.",
        "application_scope": "Các nhà máy chế biến tôm.",
        "conditions": "Xưởng cơ khí tự chế tạo được.",
        "confidential_info": "",
        "first_applied_on": "2025-03-01",
        "first_applied_by": "Phân xưởng 2",
        "summary": "Năng suất phân loại tăng 30%.",
        "benefit_vnd": "150000000",
        "benefit_text": "Giảm 4 lao động mỗi ca.",
        "applied_benefit_vnd": "",
        "applied_benefit_text": "",
        "investor": "",
        "award": "",
        "authors-TOTAL_FORMS": str(len(authors)),
        "authors-INITIAL_FORMS": "0",
        "authors-MIN_NUM_FORMS": "0",
        "authors-MAX_NUM_FORMS": "20",
    }
    for index, (name, percent, user_id) in enumerate(authors):
        data[f"authors-{index}-full_name"] = name
        data[f"authors-{index}-contribution_percent"] = percent
        data[f"authors-{index}-user_id"] = user_id
        data[f"authors-{index}-workplace"] = "Công ty Thủy sản Bình An"
        data[f"authors-{index}-date_of_birth"] = "1985-04-12"
    data.update(overrides)
    return data


def submission_objects(country, personas) -> dict:
    """What the persona matrix points at for the submission pages (all in province A)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    def pdf(name):
        return SimpleUploadedFile(name, minimal_pdf("Noi dung"), content_type="application/pdf")

    draft = make_initiative(
        unit=country.grassroots_a, entered_by=personas.worker_a, owner=personas.worker_a
    )
    draft_file = services.attachment_add(
        initiative=draft, uploaded_file=pdf("ban-ve.pdf"), uploaded_by=personas.worker_a
    )
    secret = make_initiative(
        unit=country.grassroots_a, entered_by=personas.grassroots_officer_a, confidential=True
    )
    secret_file = services.attachment_add(
        initiative=secret, uploaded_file=pdf("bi-mat.pdf"), uploaded_by=None
    )
    services.initiative_submit(initiative=secret, actor=personas.grassroots_officer_a)
    services.initiative_record_check(
        initiative=secret, flagged=False, copied_share=0.0, source_count=0
    )
    return {
        "initiative_draft_a": draft,
        "initiative_draft_a_file": draft_file,
        "initiative_checking_a": make_initiative(
            unit=country.grassroots_a,
            entered_by=personas.worker_a,
            owner=personas.worker_a,
            state="checking",
        ),
        "initiative_approved_a": make_initiative(
            unit=country.grassroots_a,
            entered_by=personas.worker_a,
            state="approved",
            reviewer=personas.reviewer_a,
        ),
        "initiative_secret_a": secret,
        "initiative_secret_a_file": secret_file,
    }
