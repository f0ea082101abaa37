from pathlib import Path

from django.core.management.base import BaseCommand

from federation.national_structure import DEFAULT_MAPPING_CSV, load_national_structure


class Command(BaseCommand):
    help = "Nạp Tổng LĐLĐ, 63 tỉnh trước và 34 tỉnh sau sắp xếp 2025, sự kiện hợp nhất, cụm và khối thi đua."

    def add_arguments(self, parser):
        parser.add_argument("--mapping", type=Path, default=DEFAULT_MAPPING_CSV)

    def handle(self, *args, mapping: Path, **options):
        result = load_national_structure(mapping_csv=mapping)
        if not result.created:
            self.stdout.write("Cơ cấu toàn quốc đã có sẵn; không thay đổi gì.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã nạp: {result.pre_merger} tỉnh trước 01/07/2025, {result.post_merger} tỉnh sau, "
                f"{result.merges} sự kiện hợp nhất."
            )
        )
