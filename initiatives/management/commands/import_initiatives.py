"""`manage.py import_initiatives FILE`: load initiatives from .xlsx, .csv or .jsonl.

JSONL is one object a line: external_id, title, content, author_name, author_id,
unit_code, submitted_at, optional field (name or code) and any other initiative
field. Re-importing the same external_id updates, never duplicates.

New initiatives are inserted in batches (`bulk_create`) after the same validation
as the web import; `--one-by-one` sends every row through the form's services
instead. Each one is enqueued for the similarity check, unless `--no-check`: then
they stay in "checking" for the periodic sweep or an index rebuild to pick up.
"""

from __future__ import annotations

import csv
import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from tqdm import tqdm

from accounts.models import User
from accounts.tenancy import Scope
from core.tabular import safe_cell
from federation.models import OrgUnit
from initiatives.importing import DEFAULT_CHUNK_SIZE, ImportFileError, RowSource, import_initiatives
from initiatives.models import ParticipantGroup

SHOWN_ERRORS = 50


class Command(BaseCommand):
    help = "Nhập sáng kiến từ tệp .xlsx, .csv hoặc .jsonl (nhập lại cùng external_id sẽ cập nhật)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--unit-code",
            default="",
            help="Chỉ nhận đơn vị thuộc cây của đơn vị này; dòng không ghi unit_code dùng mã này.",
        )
        parser.add_argument(
            "--all-or-nothing",
            action="store_true",
            help="Chỉ ghi khi mọi dòng đều hợp lệ (mặc định: ghi các dòng hợp lệ).",
        )
        parser.add_argument(
            "--no-check",
            action="store_true",
            help="Không xếp hàng kiểm tra trùng lặp; sáng kiến ở trạng thái “đang kiểm tra” "
            "chờ lượt quét định kỳ hoặc dựng lại chỉ mục.",
        )
        parser.add_argument(
            "--participant-group",
            default=ParticipantGroup.ENTERPRISE.value,
            choices=ParticipantGroup.values,
            help="Nhóm đối tượng cho dòng không ghi participant_group.",
        )
        parser.add_argument(
            "--user",
            default="",
            help="Email hoặc số điện thoại của người nhập (mặc định: quản trị).",
        )
        parser.add_argument(
            "--one-by-one",
            action="store_true",
            help="Ghi từng dòng qua các service của biểu mẫu (chậm hơn, không ghi theo lô).",
        )
        parser.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK_SIZE * 2)
        parser.add_argument("--errors-csv", default="", help="Ghi toàn bộ lỗi ra tệp CSV này.")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        actor = self._actor(options["user"])
        scope = self._scope(options["unit_code"])
        try:
            source = RowSource.from_path(options["file"])
        except FileNotFoundError as exc:
            raise CommandError(f"Không tìm thấy tệp {options['file']}.") from exc
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        bars: dict[str, tqdm] = {}
        quiet = options["no_progress"] or options["verbosity"] == 0
        total = None if quiet else _fast_count(source)

        def progress(phase: str, done: int) -> None:
            if quiet:
                return
            bar = bars.get(phase)
            if bar is None:
                label = "Kiểm tra" if phase == "validate" else "Ghi"
                bar = bars[phase] = tqdm(total=total, desc=label, unit="dòng", file=sys.stderr)
            bar.update(done - bar.n)

        started = time.monotonic()
        try:
            report = import_initiatives(
                source=source,
                actor=actor,
                scope=scope,
                all_or_nothing=options["all_or_nothing"],
                default_unit_code=options["unit_code"],
                default_participant_group=options["participant_group"],
                check=not options["no_check"],
                bulk=not options["one_by_one"],
                chunk_size=options["chunk_size"],
                on_progress=progress,
            )
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            for bar in bars.values():
                bar.close()
            source.close()
        elapsed = time.monotonic() - started

        for error in report.errors[:SHOWN_ERRORS]:
            self.stderr.write(f"dòng {error.row} [{error.field}]: {error.message}")
        if report.bad_row_count > SHOWN_ERRORS:
            self.stderr.write(f"... và các dòng lỗi khác (tổng {report.bad_row_count} dòng lỗi).")
        if options["errors_csv"]:
            with open(options["errors_csv"], "w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(["row", "field", "message"])
                writer.writerows((e.row, e.field, safe_cell(e.message)) for e in report.errors)
        rate = report.total / elapsed if elapsed else 0
        summary = (
            f"{report.total} dòng: tạo {report.created}, cập nhật {report.updated}, "
            f"không đổi {report.unchanged}, "
            f"{report.bad_row_count} dòng lỗi; {elapsed:.1f} giây ({rate:.0f} dòng/giây)."
        )
        if report.all_or_nothing and report.bad_row_count:
            raise CommandError(f"Không ghi gì vì có dòng lỗi. {summary}")
        self.stdout.write(summary)

    @staticmethod
    def _actor(login: str) -> User:
        if login:
            actor = User.objects.filter(Q(email__iexact=login) | Q(phone=login)).first()
            if actor is None:
                raise CommandError(f"Không có người dùng “{login}”.")
            return actor
        actor = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        if actor is None:
            raise CommandError("Cần --user: chưa có tài khoản quản trị nào để ghi là người nhập.")
        return actor

    @staticmethod
    def _scope(unit_code: str) -> Scope:
        if unit_code:
            units = OrgUnit.objects.filter(code=unit_code)
            if not units.exists():
                raise CommandError(f"Không có đơn vị mã “{unit_code}”.")
        else:
            units = OrgUnit.objects.filter(parent__isnull=True)
        ranges = tuple(units.values_list("tree_id", "lft", "rght"))
        return Scope(user_id=None, ranges=ranges, root_unit_ids=tuple(u.pk for u in units))


def _fast_count(source: RowSource) -> int | None:
    """Rows for the progress bar's total: line count for JSONL, a full read otherwise."""
    if source.format == "jsonl":
        source.fileobj.seek(0)
        count = sum(1 for line in source.fileobj if line.strip())
        source.fileobj.seek(0)
        return count
    return source.count()
