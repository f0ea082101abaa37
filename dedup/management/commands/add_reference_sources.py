from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from dedup.models import ReferenceText, WebSource
from dedup.services import extract_file_text, reference_text_add, web_fetcher, web_source_add
from dedup.webcheck.fetch import FetchRefused, first_line, html_main_text, is_web_address

NO_TEXT_FILES = "Không có tệp hay địa chỉ nào để thêm."
READABLE_SUFFIXES = (".txt", ".html", ".htm", ".pdf", ".docx")
KINDS = [*ReferenceText.Kind.values, WebSource.Kind.REFERENCE]


def read_file(path: Path) -> tuple[str, str]:
    """(title, text) of a saved TXT, HTML, PDF or DOCX file; raises CommandError."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".pdf", ".docx"):
            text = extract_file_text(path, suffix[1:]).strip()
            return first_line(text), text
        raw = path.read_bytes()
    except OSError as exc:
        raise CommandError(f"Không đọc được {path}: {exc}") from exc
    if suffix in (".html", ".htm"):
        title, text = html_main_text(raw)
        return title or first_line(text), text.strip()
    try:
        text = raw.decode("utf-8").strip()
    except UnicodeDecodeError as exc:
        raise CommandError(f"Không đọc được {path}: {exc}") from exc
    return first_line(text), text


class Command(BaseCommand):
    help = (
        "Thêm nguồn đối chiếu vào kho: văn bản pháp luật hoặc mẫu văn bản (--kind law|form:"
        " trích từ chúng là trích dẫn, không phải sao chép), hoặc tài liệu tham khảo"
        " (--kind reference: trang 'sáng kiến mẫu', sổ tay...; chép từ chúng là sao chép)."
        " Nhận tệp TXT, HTML, PDF, DOCX, thư mục, địa chỉ http(s), hoặc --urls DANH_SÁCH"
        " (mỗi dòng một địa chỉ, có thể kèm tệp đã lưu của trang đó)."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", metavar="FILE_FOLDER_OR_URL")
        parser.add_argument("--kind", choices=KINDS, default=ReferenceText.Kind.LAW)
        parser.add_argument(
            "--urls",
            type=Path,
            help="Tệp danh sách: mỗi dòng 'URL' hoặc 'URL TỆP_ĐÃ_LƯU'; dòng bắt đầu bằng # bỏ qua.",
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, paths: list[str], kind: str, urls: Path | None, **options):
        items: list[tuple[str, Path | None]] = []  # (address or "", saved file)
        for value in paths:
            if is_web_address(value):
                items.append((value, None))
                continue
            path = Path(value)
            if path.is_dir():
                items.extend(
                    ("", p)
                    for p in sorted(path.rglob("*"))
                    if p.is_file() and p.suffix.lower() in READABLE_SUFFIXES
                )
            else:
                items.append(("", path))
        if urls is not None:
            try:
                lines = urls.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError) as exc:
                raise CommandError(f"Không đọc được {urls}: {exc}") from exc
            for line in lines:
                parts = line.split()
                if not parts or parts[0].startswith("#"):
                    continue
                if not is_web_address(parts[0]):
                    raise CommandError(f"Không phải địa chỉ http(s): {parts[0]}")
                saved = Path(parts[1]) if len(parts) > 1 else None
                if saved is not None and not saved.is_absolute():
                    saved = urls.parent / saved
                items.append((parts[0], saved))
        if not items:
            raise CommandError(NO_TEXT_FILES)
        fetcher = None
        added = skipped = 0
        with tqdm(
            total=len(items), unit="nguồn", disable=options["no_progress"], file=self.stderr
        ) as bar:
            for address, saved in items:
                bar.update(1)
                try:
                    if saved is not None:
                        title, text = read_file(saved)
                    else:
                        fetcher = fetcher or web_fetcher()
                        page = fetcher.fetch(address)
                        title, text = page.title, page.text
                except FetchRefused as refused:
                    self.stderr.write(f"Bỏ qua {address}: {refused.reason}")
                    skipped += 1
                    continue
                if not text:
                    skipped += 1
                    continue
                name = title or (saved.stem if saved is not None else address)
                if kind == WebSource.Kind.REFERENCE:
                    source = web_source_add(
                        kind=kind,
                        address=address or f"file:{saved}",
                        title=name,
                        text=text,
                    )
                else:
                    source = reference_text_add(kind=kind, title=name[:500], text=text)
                added += 1
                self.stdout.write(f"{source.source_id}: {name}")
        if fetcher is not None:
            fetcher.close()
        self.stdout.write(self.style.SUCCESS(f"Đã thêm {added} nguồn, bỏ qua {skipped}."))
