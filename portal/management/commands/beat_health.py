import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Max
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from config.periodic import PERIODIC_TASKS

MSG_BEAT_SILENT = "Celery beat không gửi tác vụ định kỳ nào trong {minutes} phút qua."


class Command(BaseCommand):
    help = (
        "Kiểm tra sức khoẻ của Celery beat (health check của compose): tác vụ định kỳ "
        "thường xuyên nhất (quét sáng kiến chưa kiểm tra, 5 phút một lần) đã được gửi gần đây."
    )

    def add_arguments(self, parser):
        parser.add_argument("--max-age-minutes", type=int, default=12)

    def handle(self, *args, **options):
        minutes = options["max_age_minutes"]
        last_sent = PeriodicTask.objects.filter(name__in=PERIODIC_TASKS, enabled=True).aggregate(
            last=Max("last_run_at")
        )["last"]
        if last_sent is None or last_sent < timezone.now() - dt.timedelta(minutes=minutes):
            raise CommandError(MSG_BEAT_SILENT.format(minutes=minutes))
        self.stdout.write(f"beat: last periodic task sent at {last_sent.isoformat()}")
