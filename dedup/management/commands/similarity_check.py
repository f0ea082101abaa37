import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dedup.services import text_check
from initiatives.models import Initiative


class Command(BaseCommand):
    help = "Kiểm tra một tệp văn bản với kho sáng kiến, không lưu gì."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--author-id",
            help="Mã tác giả (author_id khi nhập kho) để nhận ra sáng kiến của chính họ.",
        )
        parser.add_argument("--user-id", type=int, help="Tài khoản tác giả trên cổng.")
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="In kết quả dạng JSON."
        )

    def handle(self, *args, file: Path, author_id, user_id, as_json: bool, **options):
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Không đọc được {file}: {exc}") from exc
        keys = set()
        if author_id:
            keys.add(f"person:{author_id}")
        if user_id:
            keys.add(f"user:{user_id}")
        result = text_check(text=text, author_keys=frozenset(keys))
        refs = [int(m.ref) for m in result.matches if m.kind == "initiative" and m.ref.isdigit()]
        external_ids = dict(Initiative.objects.filter(pk__in=refs).values_list("pk", "external_id"))
        report = {
            "flagged": result.flagged,
            "matches": [
                {
                    "external_id": external_ids.get(int(m.ref))
                    if m.kind == "initiative"
                    else m.ref,
                    "initiative_id": int(m.ref) if m.kind == "initiative" else None,
                    "flagged": m.flagged,
                    "same_author": m.same_author,
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
        if as_json:
            self.stdout.write(json.dumps(report, ensure_ascii=False))
            return
        verdict = "CẦN XEM XÉT" if result.flagged else "không phát hiện sao chép"
        self.stdout.write(f"Kết quả: {verdict}")
        for match in report["matches"]:
            self.stdout.write(
                f"  #{match['initiative_id']} ({match['external_id']}): {match['coverage']:.0%} văn bản,"
                f" TF-IDF {match['score']:.2f}{' — của chính tác giả' if match['same_author'] else ''}"
            )
