"""Text extraction from attachments, bounded: no file can exhaust the machine.

The parsing itself (pypdfium2 for PDF, python-docx for DOCX, openpyxl for XLSX)
runs in a child process (`python -m initiatives.extraction`) under
`resource.setrlimit` limits on address space and CPU time, and the parent kills
it after a wall-clock timeout. Before any XML is parsed, a DOCX/XLSX's ZIP table
is checked (entry count, declared inflated size, compression ratio) and a PDF's
page count is checked: a file over a limit is kept but its text is not extracted.

This module imports no Django, so the child starts fast and holds no database
connection; `initiatives.tasks.extract_attachment_text` is the Django side.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
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


@dataclass(frozen=True)
class Limits:
    max_chars: int = 300_000
    max_pdf_pages: int = 200
    max_zip_entries: int = 2_000
    max_zip_inflated_bytes: int = 100 * 1024 * 1024
    max_zip_ratio: int = 200  # inflated / compressed, per entry
    memory_bytes: int = 1024 * 1024 * 1024
    cpu_seconds: int = 30
    wall_seconds: int = 60


@dataclass(frozen=True)
class Outcome:
    status: str
    text: str = ""
    problem: str = ""


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


def _pdf_text(path: Path, limits: Limits) -> str:
    import pypdfium2

    document = pypdfium2.PdfDocument(str(path))
    try:
        if len(document) > limits.max_pdf_pages:
            raise OverLimit(TOO_MANY_PAGES)
        parts, total = [], 0
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            text = textpage.get_text_range()
            textpage.close()
            page.close()
            parts.append(text)
            total += len(text)
            if total >= limits.max_chars:
                break
        return "\n".join(parts)
    finally:
        document.close()


def _docx_text(path: Path, limits: Limits) -> str:
    import docx

    _check_zip(path, limits)
    document = docx.Document(str(path))
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(p for p in parts if p.strip())


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
                    return "\n".join(parts)
    finally:
        workbook.close()
    return "\n".join(parts)


READERS = {"pdf": _pdf_text, "docx": _docx_text, "xlsx": _xlsx_text}
PARSER_MODULES = {"pdf": "pypdfium2", "docx": "docx", "xlsx": "openpyxl"}


def extract_here(path: Path, extension: str, limits: Limits) -> Outcome:
    """Extract in this process (the child calls this). Never raises."""
    import importlib

    try:
        importlib.import_module(PARSER_MODULES[extension])
    except Exception:  # noqa: BLE001 - installed, so only the address-space limit stops it
        return Outcome(NOT_EXTRACTED, problem=OUT_OF_MEMORY_OR_CPU)
    try:
        text = READERS[extension](path, limits)
    except OverLimit as over:
        return Outcome(NOT_EXTRACTED, problem=over.problem)
    except MemoryError:
        return Outcome(NOT_EXTRACTED, problem=OUT_OF_MEMORY_OR_CPU)
    except Exception:  # noqa: BLE001 - the parsers raise many kinds on broken files
        return Outcome(NOT_EXTRACTED, problem=UNREADABLE)
    return Outcome(DONE, text=text.replace("\x00", "")[: limits.max_chars])


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
        return Outcome(answer["status"], answer.get("text", ""), answer.get("problem", ""))
    except (ValueError, KeyError, TypeError):
        return Outcome(NOT_EXTRACTED, problem=UNREADABLE)


def main(argv: list[str]) -> int:
    extension, path, limits_json = argv
    outcome = extract_here(Path(path), extension, Limits(**json.loads(limits_json)))
    sys.stdout.write(json.dumps(outcome.__dict__))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
