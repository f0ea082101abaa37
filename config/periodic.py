"""Periodic tasks, declared in code. `manage.py setup_periodic_tasks` writes them into
django-celery-beat's tables; nobody creates them by hand in the admin.

Each entry: name -> (task path, crontab fields in Asia/Ho_Chi_Minh time, kwargs).
"""

PERIODIC_TASKS: dict[str, tuple[str, dict, dict]] = {}
