"""Text extraction from attachments, bounded: no file can exhaust the machine.

The parsing itself (pypdfium2 for PDF, python-docx for DOCX, openpyxl for XLSX,
Tesseract OCR with its Vietnamese data for JPEG/PNG images and for PDF pages
without a text layer, i.e. scans) runs in a child process (`python -m initiatives.extraction`) under
`resource.setrlimit` limits on address space and CPU time, and the parent kills
it after a wall-clock timeout. Before any XML is parsed, a DOCX/XLSX's ZIP table
is checked (entry count, declared inflated size, compression ratio) and a PDF's
page count is checked: a file over a limit is kept but its text is not extracted.

OCR runs the `tesseract` command (Debian `tesseract-ocr tesseract-ocr-vie`) on at
most `max_ocr_pages` pages within `ocr_seconds` in all, one page at a time with
its own timeout; the spans of the text that came from OCR are returned with it
(`Outcome.ocr_spans`), so the reviewer is told when a match rests on recognised
text. Without tesseract, images have no text and scans only their text layer.

This module imports no Django, so the child starts fast and holds no database
connection; `initiatives.tasks.extract_attachment_text` is the Django side.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

# Outcomes, stored on Attachment.text_status / text_problem.
DONE = "done"
NOT_EXTRACTED = "not_extracted"
# Why the text was not extracted (Attachment.text_problem).
TOO_MANY_ENTRIES = "zip_entries"
INFLATES_TOO_MUCH = "zip_inflated"
TOO_MANY_PAGES = "pdf_pages"
TIMED_OUT = "timeout"
OUT_OF_MEMORY_OR_CPU = "resources"
UNREADABLE = "unreadable"

EXTRACTABLE = ("pdf", "docx", "xlsx")
# Images whose text only OCR can read.
OCR_IMAGES = ("jpg", "png")
TESSERACT = "tesseract"


@dataclass(frozen=True)
class Limits:
    max_chars: int = 300_000
    max_pdf_pages: int = 200
    max_zip_entries: int = 2_000
    max_zip_inflated_bytes: int = 100 * 1024 * 1024
    max_zip_ratio: int = 200  # inflated / compressed, per entry
    memory_bytes: int = 1024 * 1024 * 1024
    cpu_seconds: int = 30
    wall_seconds: int = 240
    # OCR: scanned PDF pages (an image and fewer than `min_page_letters`
    # letters in the text layer) and images, at most `max_ocr_pages` pages per
    # file and `ocr_seconds` in all, inside the wall-clock limit.
    ocr_language: str = "vie"
    max_ocr_pages: int = 20
    ocr_seconds: int = 180
    ocr_page_seconds: int = 60
    ocr_dpi: int = 200
    min_page_letters: int = 20
    max_image_pixels: int = 40_000_000


@dataclass(frozen=True)
class Outcome:
    status: str
    text: str = ""
    problem: str = ""
    # [start, end) spans of `text` read by OCR, not from a text layer.
    ocr_spans: tuple[tuple[int, int], ...] = ()


def ocr_available(language: str = "vie") -> bool:
    """Is the tesseract command installed with the language's data?"""
    if shutil.which(TESSERACT) is None:
        return False
    try:
        listed = subprocess.run(  # noqa: S603 - fixed command
            [TESSERACT, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return language in listed.stdout.split()


class _OcrBudget:
    """What is left of a file's OCR allowance: pages and seconds."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.pages_left = limits.max_ocr_pages
        # Leave the child time to answer before the parent's wall clock kills it.
        allowance = min(limits.ocr_seconds, limits.wall_seconds - 5)
        self.deadline = time.monotonic() + allowance

    def image_text(self, png: bytes) -> str | None:
        """Tesseract's text of one page image (PNG bytes); None when the
        allowance is spent or tesseract fails or runs over time."""
        left = self.deadline - time.monotonic()
        if self.pages_left <= 0 or left <= 1:
            return None
        self.pages_left -= 1
        command = [TESSERACT, "stdin", "stdout", "-l", self.limits.ocr_language, "--psm", "3"]
        try:
            finished = subprocess.run(  # noqa: S603 - fixed command, image on stdin
                command,
                input=png,
                capture_output=True,
                timeout=min(left, self.limits.ocr_page_seconds),
                # One thread: OCR shares the worker's cores with everything else.
                env={**os.environ, "OMP_THREAD_LIMIT": "1"},
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
        if finished.returncode != 0:
            return None
        return _tidy_ocr(finished.stdout.decode("utf-8", errors="replace"))


def _tidy_ocr(text: str) -> str:
    # Tesseract ends blocks with blank lines and pages with a form feed.
    lines = [line.strip() for line in text.replace("\f", "\n").splitlines()]
    return "\n".join(line for line in lines if line)


def _letters(text: str) -> int:
    return sum(1 for char in text if char.isalpha())


def _png(image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


class _Parts:
    """Pieces of a file's text joined by newlines, remembering the OCR ones."""

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.ocr_spans: list[tuple[int, int]] = []
        self.length = 0

    def add(self, text: str, *, ocr: bool = False) -> None:
        text = text.replace("\x00", "")
        if self.pieces:
            self.length += 1  # the joining newline
        if ocr and text:
            self.ocr_spans.append((self.length, self.length + len(text)))
        self.pieces.append(text)
        self.length += len(text)

    def result(self) -> tuple[str, list[tuple[int, int]]]:
        return "\n".join(self.pieces), self.ocr_spans


class OverLimit(Exception):
    def __init__(self, problem: str):
        super().__init__(problem)
        self.problem = problem


def _check_zip(path: Path, limits: Limits) -> None:
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
        if len(members) > limits.max_zip_entries:
            raise OverLimit(TOO_MANY_ENTRIES)
        inflated = 0
        for member in members:
            inflated += member.file_size
            ratio = member.file_size / max(member.compress_size, 1)
            if member.file_size > 1024 * 1024 and ratio > limits.max_zip_ratio:
                raise OverLimit(INFLATES_TOO_MUCH)
        if inflated > limits.max_zip_inflated_bytes:
            raise OverLimit(INFLATES_TOO_MUCH)


def _pdf_text(path: Path, limits: Limits) -> tuple[str, list[tuple[int, int]]]:
    import pypdfium2

    document = pypdfium2.PdfDocument(str(path))
    ocr = _OcrBudget(limits) if ocr_available(limits.ocr_language) else None
    try:
        if len(document) > limits.max_pdf_pages:
            raise OverLimit(TOO_MANY_PAGES)
        parts = _Parts()
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            text = textpage.get_text_range()
            textpage.close()
            recognised = None
            if ocr is not None and _letters(text) < limits.min_page_letters and _has_image(page):
                # An image and no text layer: a scan or a photo. Read the image.
                bitmap = page.render(scale=limits.ocr_dpi / 72, grayscale=True)
                recognised = ocr.image_text(_png(bitmap.to_pil()))
                bitmap.close()
            page.close()
            if recognised and _letters(recognised) > _letters(text):
                parts.add(recognised, ocr=True)
            else:
                parts.add(text)
            if parts.length >= limits.max_chars:
                break
        return parts.result()
    finally:
        document.close()


def _has_image(page) -> bool:
    import pypdfium2.raw as pdfium_c

    return any(True for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2))


def _image_text(path: Path, limits: Limits) -> tuple[str, list[tuple[int, int]]]:
    from PIL import Image

    if not ocr_available(limits.ocr_language):
        return "", []
    Image.MAX_IMAGE_PIXELS = limits.max_image_pixels  # larger raises: no decompression bomb
    with Image.open(path) as image:
        image.load()
        # Tesseract reads PNG; a photo's EXIF rotation is applied first.
        from PIL import ImageOps

        upright = ImageOps.exif_transpose(image).convert("L")
    text = _OcrBudget(limits).image_text(_png(upright)) or ""
    parts = _Parts()
    parts.add(text, ocr=True)
    return parts.result()


def _docx_text(path: Path, limits: Limits) -> str:
    import docx

    _check_zip(path, limits)
    document = docx.Document(str(path))
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(p for p in parts if p.strip()), []


def _xlsx_text(path: Path, limits: Limits) -> str:
    import openpyxl

    _check_zip(path, limits)
    workbook = openpyxl.load_workbook(str(path), read_only=True, data_only=True)
    parts, total = [], 0
    try:
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows(values_only=True):
                line = " | ".join(str(v) for v in row if v is not None and str(v).strip())
                if line:
                    parts.append(line)
                    total += len(line)
                if total >= limits.max_chars:
                    return "\n".join(parts), []
    finally:
        workbook.close()
    return "\n".join(parts), []


READERS = {
    "pdf": _pdf_text,
    "docx": _docx_text,
    "xlsx": _xlsx_text,
    "jpg": _image_text,
    "png": _image_text,
}
PARSER_MODULES = {
    "pdf": "pypdfium2",
    "docx": "docx",
    "xlsx": "openpyxl",
    "jpg": "PIL",
    "png": "PIL",
}


def extract_here(path: Path, extension: str, limits: Limits) -> Outcome:
    """Extract in this process (the child calls this). Never raises."""
    import importlib

    try:
        importlib.import_module(PARSER_MODULES[extension])
    except Exception:  # noqa: BLE001 - installed, so only the address-space limit stops it
        return Outcome(NOT_EXTRACTED, problem=OUT_OF_MEMORY_OR_CPU)
    try:
        text, ocr_spans = READERS[extension](path, limits)
    except OverLimit as over:
        return Outcome(NOT_EXTRACTED, problem=over.problem)
    except MemoryError:
        return Outcome(NOT_EXTRACTED, problem=OUT_OF_MEMORY_OR_CPU)
    except Exception:  # noqa: BLE001 - the parsers raise many kinds on broken files
        return Outcome(NOT_EXTRACTED, problem=UNREADABLE)
    text = text.replace("\x00", "")[: limits.max_chars]
    kept = tuple((start, min(end, len(text))) for start, end in ocr_spans if start < len(text))
    return Outcome(DONE, text=text, ocr_spans=kept)


def _limit_child(limits: Limits):
    def apply() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds))
        os.setsid()  # its own process group, so a timeout kills everything it started

    return apply


def extract_in_child(path: Path, extension: str, limits: Limits) -> Outcome:
    """Extract in a child process under memory, CPU and wall-clock limits."""
    if extension not in READERS:
        return Outcome(DONE)
    command = [
        sys.executable,
        "-m",
        "initiatives.extraction",
        extension,
        str(path),
        json.dumps(limits.__dict__),
    ]
    try:
        finished = subprocess.run(  # noqa: S603 - our own module, fixed arguments
            command,
            capture_output=True,
            timeout=limits.wall_seconds,
            preexec_fn=_limit_child(limits),  # noqa: PLW1509 - no threads are started here
            cwd=Path(__file__).resolve().parent.parent,
            env={
                "PATH": os.environ.get("PATH", ""),
                "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
            },
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Outcome(NOT_EXTRACTED, problem=TIMED_OUT)
    if finished.returncode != 0:
        # Killed by RLIMIT_CPU (SIGXCPU/SIGKILL) or out of address space.
        return Outcome(NOT_EXTRACTED, problem=OUT_OF_MEMORY_OR_CPU)
    try:
        answer = json.loads(finished.stdout)
        return Outcome(
            answer["status"],
            answer.get("text", ""),
            answer.get("problem", ""),
            tuple((int(start), int(end)) for start, end in answer.get("ocr_spans", ())),
        )
    except (ValueError, KeyError, TypeError):
        return Outcome(NOT_EXTRACTED, problem=UNREADABLE)


def main(argv: list[str]) -> int:
    extension, path, limits_json = argv
    outcome = extract_here(Path(path), extension, Limits(**json.loads(limits_json)))
    sys.stdout.write(json.dumps(outcome.__dict__))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
