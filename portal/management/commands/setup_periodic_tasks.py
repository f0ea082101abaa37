import json

from django.core.management.base import BaseCommand
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from config.periodic import PERIODIC_TASKS


class Command(BaseCommand):
    help = "Ghi các tác vụ định kỳ khai báo trong config/periodic.py vào lịch của Celery beat."

    @transaction.atomic
    def handle(self, *args, **options):
        for name, (task, cron, kwargs) in PERIODIC_TASKS.items():
            schedule, _ = CrontabSchedule.objects.get_or_create(
                minute=cron.get("minute", "0"),
                hour=cron.get("hour", "*"),
                day_of_week=cron.get("day_of_week", "*"),
                day_of_month=cron.get("day_of_month", "*"),
                month_of_year=cron.get("month_of_year", "*"),
                timezone="Asia/Ho_Chi_Minh",
            )
            PeriodicTask.objects.update_or_create(
                name=name,
                defaults={
                    "task": task,
                    "crontab": schedule,
                    "kwargs": json.dumps(kwargs),
                    "enabled": True,
                },
            )
            self.stdout.write(f"  {name}: {task}")
        stale = PeriodicTask.objects.exclude(name__in=PERIODIC_TASKS).exclude(
            name__startswith="celery."
        )
        removed = stale.count()
        stale.delete()
        self.stdout.write(
            self.style.SUCCESS(f"{len(PERIODIC_TASKS)} tác vụ định kỳ; xoá {removed} tác vụ cũ.")
        )
