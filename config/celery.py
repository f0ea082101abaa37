"""The Celery application shared by the web process, workers and beat.

`celery -A config worker|beat` imports this module first, so it is an entry point:
production settings unless DJANGO_SETTINGS_MODULE says otherwise (`make worker`,
the tests and the smoke run set it). The variable has to be set before `Celery()` is
built: Celery installs its Django fixup (django.setup() in the worker, connections
closed around tasks) only when it sees it.
"""

from celery import Celery

from config.settings import PRODUCTION, choose

choose(PRODUCTION)

app = Celery("sangkien")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Every app's `tasks` module (core, accounts, federation, initiatives, dedup, review,
# rankings): each part of the domain is an app of its own, so nothing is missed.
app.autodiscover_tasks()
