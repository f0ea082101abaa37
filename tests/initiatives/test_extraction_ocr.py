"""OCR of scanned PDF pages and images (Tesseract with its Vietnamese data).

These need the tesseract command and Debian's tesseract-ocr-vie: missing, they
fail in CI and skip on a laptop.
"""

from __future__ import annotations

import pytest

from initiatives import attachments, extraction
from tests.conftest import require_service
from tests.initiatives.submission_helpers import minimal_pdf, scanned_pdf, scanned_png

FIRST_PAGE = (
    "Sáng kiến lắp biến tần cho máy nén lạnh của kho cấp đông giúp giảm điện năng tiêu thụ "
    "mỗi tháng. Công nhân vận hành kiểm tra nhiệt độ buồng lạnh theo từng ca."
)
SECOND_PAGE = (
    "Khi phụ tải giảm, biến tần hạ tốc độ động cơ nên máy nén chạy êm và ít hỏng hóc hơn. "
    "Tổ bảo dưỡng ghi sổ theo dõi rung động của từng máy."
)


@pytest.fixture(autouse=True)
def tesseract():
    if not extraction.ocr_available("vie"):
        require_service("tesseract (tesseract-ocr, tesseract-ocr-vie)", "not installed")


def words(text: str) -> str:
    return " ".join(text.split())


def test_a_png_photo_of_a_page_is_read_in_vietnamese(tmp_path):
    path = tmp_path / "anh-chup.png"
    path.write_bytes(scanned_png(FIRST_PAGE))
    outcome = extraction.extract_in_child(path, "png", attachments.extraction_limits())
    assert outcome.status == extraction.DONE
    assert words(outcome.text) == FIRST_PAGE
    # All of it was read by OCR.
    assert outcome.ocr_spans == ((0, len(outcome.text)),)


def test_scanned_pdf_pages_are_read_and_marked_as_ocr(tmp_path):
    path = tmp_path / "ban-quet.pdf"
    path.write_bytes(scanned_pdf(FIRST_PAGE, SECOND_PAGE))
    outcome = extraction.extract_in_child(path, "pdf", attachments.extraction_limits())
    assert outcome.status == extraction.DONE
    assert words(outcome.text) == f"{FIRST_PAGE} {SECOND_PAGE}"
    assert len(outcome.ocr_spans) == 2
    first, second = (outcome.text[start:end] for start, end in outcome.ocr_spans)
    assert words(first) == FIRST_PAGE and words(second) == SECOND_PAGE


def test_a_pdf_with_a_text_layer_is_not_ocred(tmp_path):
    path = tmp_path / "thuyet-minh.pdf"
    path.write_bytes(minimal_pdf("Lap bien tan cho may nen lanh"))
    outcome = extraction.extract_in_child(path, "pdf", attachments.extraction_limits())
    assert "Lap bien tan cho may nen lanh" in outcome.text
    assert outcome.ocr_spans == ()


def test_ocr_stops_at_its_page_limit(tmp_path):
    path = tmp_path / "dai.pdf"
    path.write_bytes(scanned_pdf(FIRST_PAGE, SECOND_PAGE, FIRST_PAGE))
    limits = extraction.Limits(max_ocr_pages=1)
    outcome = extraction.extract_in_child(path, "pdf", limits)
    assert outcome.status == extraction.DONE
    assert words(outcome.text) == FIRST_PAGE  # the other pages' text layers are empty
    assert len(outcome.ocr_spans) == 1


def test_ocr_stops_at_its_time_allowance(tmp_path):
    path = tmp_path / "ban-quet.pdf"
    path.write_bytes(scanned_pdf(FIRST_PAGE, SECOND_PAGE))
    # An allowance too short for one page: the file is kept, with no OCR text.
    outcome = extraction.extract_in_child(path, "pdf", extraction.Limits(ocr_seconds=1))
    assert outcome.status == extraction.DONE
    assert outcome.text.strip() == "" and outcome.ocr_spans == ()
