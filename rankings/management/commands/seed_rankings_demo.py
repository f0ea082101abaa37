from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from rankings.demo import seed_rankings_demo
from rankings.services import tally_rebuild


class Command(BaseCommand):
    help = "Thêm số liệu mẫu cho bảng xếp hạng (chỉ khi DEBUG=1); --rebuild: đếm lại bộ đếm."

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="Chỉ đếm lại bộ đếm xếp hạng.")

    def handle(self, *args, **options):
        if options["rebuild"]:
            self.stdout.write(f"Đã đếm lại {tally_rebuild()} sáng kiến.")
            return
        if not settings.DEBUG:
            raise CommandError("Chỉ chạy khi DEBUG=1.")
        self.stdout.write(f"Đã thêm {seed_rankings_demo()} sáng kiến mẫu cho bảng xếp hạng.")
