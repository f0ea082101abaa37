import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dedup.services import text_check
from initiatives.models import Initiative

# Read from a folder: plain-text files only (attachments need their text extracted first).
TEXT_SUFFIXES = (".txt", ".md", ".text")
NOTHING_TO_CHECK = "Không có tệp văn bản nào để kiểm tra."


def _files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in TEXT_SUFFIXES)
            )
        else:
            files.append(path)
    return files


class Command(BaseCommand):
    help = (
        "Kiểm tra các tệp văn bản (hoặc mọi tệp .txt trong một thư mục) với kho sáng kiến,"
        " không lưu gì; với --json in mỗi tệp một dòng JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, metavar="FILE_OR_FOLDER")
        parser.add_argument(
            "--author-id",
            help="Mã tác giả (author_id khi nhập kho) để nhận ra sáng kiến của chính họ.",
        )
        parser.add_argument("--user-id", type=int, help="Tài khoản tác giả trên cổng.")
        parser.add_argument(
            "--json",
            action="store_true",
            dest="as_json",
            help="In kết quả dạng JSON, mỗi tệp một dòng.",
        )

    def handle(self, *args, paths: list[Path], author_id, user_id, as_json: bool, **options):
        files = _files(paths)
        if not files:
            raise CommandError(NOTHING_TO_CHECK)
        keys = set()
        if author_id:
            keys.add(f"person:{author_id}")
        if user_id:
            keys.add(f"user:{user_id}")
        # One process for every file: the imports and the index connection are paid once.
        for file in files:
            try:
                text = file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                if len(files) == 1:
                    raise CommandError(f"Không đọc được {file}: {exc}") from exc
                self._emit({"file": str(file), "error": str(exc)}, as_json)
                continue
            self._emit(self._report(file, text, frozenset(keys)), as_json)

    def _report(self, file: Path, text: str, keys: frozenset[str]) -> dict:
        result = text_check(text=text, author_keys=keys)
        refs = [int(m.ref) for m in result.matches if m.kind == "initiative" and m.ref.isdigit()]
        external_ids = dict(Initiative.objects.filter(pk__in=refs).values_list("pk", "external_id"))
        return {
            "file": str(file),
            "flagged": result.flagged,
            "copied_share": round(result.copied_share, 4),
            "matches": [
                {
                    "kind": m.kind,
                    "external_id": external_ids.get(int(m.ref))
                    if m.kind == "initiative"
                    else m.ref,
                    "initiative_id": int(m.ref) if m.kind == "initiative" else None,
                    "flagged": m.flagged,
                    "same_author": m.same_author,
                    "author_name_warning": m.author_name_warning,
                    "quotation": m.quotation,
                    "coverage": round(m.coverage, 4),
                    "score": round(m.score, 4),
                    "passages": [
                        {
                            "start": p.start,
                            "end": p.end,
                            "source_start": p.source_start,
                            "source_end": p.source_end,
                        }
                        for p in m.passages
                    ],
                }
                for m in result.matches
            ],
        }

    def _emit(self, report: dict, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps(report, ensure_ascii=False))
            return
        if "error" in report:
            self.stdout.write(f"{report['file']}: không đọc được ({report['error']})")
            return
        verdict = "CẦN XEM XÉT" if report["flagged"] else "không phát hiện sao chép"
        self.stdout.write(f"{report['file']}: {verdict}")
        for match in report["matches"]:
            note = ""
            if match["same_author"]:
                note = " — của chính tác giả"
            elif match["quotation"]:
                note = " — trích dẫn"
            self.stdout.write(
                f"  #{match['initiative_id']} ({match['external_id']}): {match['coverage']:.0%} văn bản,"
                f" TF-IDF {match['score']:.2f}{note}"
            )
