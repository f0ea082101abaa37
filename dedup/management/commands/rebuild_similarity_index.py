from django.core.management.base import BaseCommand
from tqdm import tqdm

from dedup.archive import rebuilding_engine
from dedup.services import archive_initiatives, archive_sources


class Command(BaseCommand):
    help = "Dựng lại toàn bộ chỉ mục kho sáng kiến dùng để kiểm tra trùng lặp."

    def add_arguments(self, parser):
        parser.add_argument(
            "--processes", type=int, default=2, help="Số tiến trình tính vân tay (mặc định 2)."
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, processes: int, no_progress: bool, **options):
        total = archive_initiatives().count()
        with (
            rebuilding_engine() as engine,
            tqdm(total=total, unit="sáng kiến", disable=no_progress, file=self.stderr) as bar,
        ):
            indexed = engine.rebuild(archive_sources(), progress=bar.update, processes=processes)
        self.stdout.write(self.style.SUCCESS(f"Đã lập chỉ mục {indexed} sáng kiến."))
