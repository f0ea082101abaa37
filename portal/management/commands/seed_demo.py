from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import DEMO_PASSWORD, demo_already_seeded, seed_demo_country
from rankings.demo import seed_rankings_demo


class Command(BaseCommand):
    help = "Tạo dữ liệu mẫu (chỉ khi DEBUG bật): cơ cấu toàn quốc, đơn vị mẫu, một tài khoản cho mỗi vai trò."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="Không làm gì nếu đã có dữ liệu mẫu."
        )

    def handle(self, *args, if_empty: bool = False, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo chỉ chạy khi DEBUG bật (DEBUG=1): dữ liệu mẫu dùng mật khẩu 'demo'."
            )
        if demo_already_seeded():
            if if_empty:
                self.stdout.write("Dữ liệu mẫu đã có.")
                return
            raise CommandError("Dữ liệu mẫu đã có trong cơ sở dữ liệu.")
        accounts = seed_demo_country()
        for seed in self._app_seeders():
            seed(self.stdout)
        # Rankings need a country's worth of submissions to show anything: added last,
        # on top of the demo initiatives, through the same counters.
        added = seed_rankings_demo()
        self.stdout.write(f"Đã thêm {added} sáng kiến mẫu cho bảng xếp hạng.")
        # The demo initiatives never went through a check: index them all now, so
        # the first submission is checked against them (and sees their text).
        from dedup.services import archive_index_build

        indexed = archive_index_build(only_if_empty=False)
        self.stdout.write(f"Đã lập chỉ mục kiểm tra trùng lặp cho {indexed} sáng kiến.")
        self.stdout.write(self.style.SUCCESS(f"Tài khoản mẫu (mật khẩu: {DEMO_PASSWORD}):"))
        for account in accounts:
            login = f"{account.login} / {account.phone}" if account.phone else account.login
            self.stdout.write(f"  {login:<36} {account.role:<20} {account.unit_code}")

    def _app_seeders(self):
        """Each of our apps may add demo content with a `seed(stdout)` in its `demo` module
        (accounts' country and rankings' submissions are called above, in their order)."""
        for app_config in apps.get_app_configs():
            if app_config.name == "portal" or not (settings.BASE_DIR / app_config.name).is_dir():
                continue
            try:
                module = import_module(f"{app_config.name}.demo")
            except ModuleNotFoundError:
                continue
            if hasattr(module, "seed"):
                yield module.seed
