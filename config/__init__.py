"""Project configuration. Deliberately imports nothing: importing the Celery app here
would choose the settings module before the entry point (manage.py, config.wsgi) could.
Django's processes load the Celery app in `portal.apps.PortalConfig.ready`; the
`celery -A config` command finds it in `config.celery`."""
