import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dedup.selectors import webcheck_enabled
from dedup.services import WEB_KINDS, text_check, text_web_check
from initiatives.models import Initiative

# Read from a folder: plain-text files only (attachments need their text extracted first).
TEXT_SUFFIXES = (".txt", ".md", ".text")
NOTHING_TO_CHECK = "Không có tệp văn bản nào để kiểm tra."
WEB_CHECK_OFF = (
    "Kiểm tra Internet chưa bật: hãy đặt WEBCHECK_SEARXNG_URL, hoặc WEBCHECK_GOOGLE_API_KEY"
    " và WEBCHECK_GOOGLE_ENGINE_ID."
)


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
            "--web",
            action="store_true",
            help="Kiểm tra cả Internet (sau khi đối chiếu kho), như khi nộp sáng kiến.",
        )
        parser.add_argument(
            "--json",
            action="store_true",
            dest="as_json",
            help="In kết quả dạng JSON, mỗi tệp một dòng.",
        )

    def handle(
        self, *args, paths: list[Path], author_id, user_id, as_json: bool, web: bool, **options
    ):
        files = _files(paths)
        if not files:
            raise CommandError(NOTHING_TO_CHECK)
        if web and not webcheck_enabled():
            raise CommandError(WEB_CHECK_OFF)
        self.web = web
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
        web_report = None
        if not self.web:
            result = text_check(text=text, author_keys=keys)
        else:
            from dedup.webcheck.providers import ProviderUnavailable

            try:
                outcome = text_web_check(text=text, author_keys=keys)
            except ProviderUnavailable as exc:
                result = text_check(text=text, author_keys=keys)
                web_report = {"state": "not_done", "error": str(exc)}
            else:
                result = outcome.result
                web_report = {
                    "state": "done",
                    "queries": len(outcome.retrieval.queries),
                    "downloads": outcome.retrieval.downloads,
                }
        refs = [int(m.ref) for m in result.matches if m.kind == "initiative" and m.ref.isdigit()]
        external_ids = dict(Initiative.objects.filter(pk__in=refs).values_list("pk", "external_id"))
        report = {
            "file": str(file),
            "flagged": result.flagged,
            "copied_share": round(result.copied_share, 4),
            "matches": [
                {
                    "kind": m.kind,
                    **_source_fields(m, external_ids),
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
        if web_report is not None:
            report["web"] = web_report
        return report

    def _emit(self, report: dict, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps(report, ensure_ascii=False))
            return
        if "error" in report:
            self.stdout.write(f"{report['file']}: không đọc được ({report['error']})")
            return
        verdict = "CẦN XEM XÉT" if report["flagged"] else "không phát hiện sao chép"
        self.stdout.write(f"{report['file']}: {verdict}")
        if "web" in report:
            self.stdout.write(f"  Internet: {report['web']}")
        for match in report["matches"]:
            if "url" in match:
                self.stdout.write(
                    f"  {match['kind']} {match['url']}: {match['coverage']:.0%} văn bản"
                )
                continue
            note = ""
            if match["same_author"]:
                note = " — của chính tác giả"
            elif match["quotation"]:
                note = " — trích dẫn"
            self.stdout.write(
                f"  #{match['initiative_id']} ({match['external_id']}): {match['coverage']:.0%} văn bản,"
                f" TF-IDF {match['score']:.2f}{note}"
            )


def _source_fields(match, external_ids: dict) -> dict:
    """Where a match comes from: an initiative (its ids), or a web or reference source
    (its address), or a quoted law or form (its title)."""
    if match.kind == "initiative":
        return {
            "external_id": external_ids.get(int(match.ref)),
            "initiative_id": int(match.ref),
        }
    if match.kind in WEB_KINDS:
        return {"url": match.ref}
    return {"external_id": match.ref, "initiative_id": None}
