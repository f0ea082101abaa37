from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dedup.models import ReferenceText
from dedup.services import reference_text_add

NO_TEXT_FILES = "Không có tệp .txt nào để thêm."


class Command(BaseCommand):
    help = (
        "Thêm văn bản pháp luật hoặc mẫu văn bản (tệp .txt UTF-8, hoặc mọi tệp .txt trong"
        " thư mục) vào kho đối chiếu: các đoạn trích từ chúng được coi là trích dẫn,"
        " không phải sao chép. Tên văn bản là dòng đầu của tệp."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, metavar="FILE_OR_FOLDER")
        parser.add_argument(
            "--kind", choices=ReferenceText.Kind.values, default=ReferenceText.Kind.LAW
        )

    def handle(self, *args, paths: list[Path], kind: str, **options):
        files = []
        for path in paths:
            files.extend(sorted(path.rglob("*.txt")) if path.is_dir() else [path])
        if not files:
            raise CommandError(NO_TEXT_FILES)
        for file in files:
            try:
                text = file.read_text(encoding="utf-8").strip()
            except (OSError, UnicodeDecodeError) as exc:
                raise CommandError(f"Không đọc được {file}: {exc}") from exc
            if not text:
                continue
            title = text.splitlines()[0].strip()[:500] or file.stem
            reference = reference_text_add(kind=kind, title=title, text=text)
            self.stdout.write(f"{reference.source_id}: {title}")
