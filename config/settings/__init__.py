"""Which settings run is chosen by one variable, DJANGO_SETTINGS_MODULE, read by every
entry point: ``manage.py`` (a developer's tool, defaults to the laptop settings) and
``config.wsgi``, ``config.asgi`` and the Celery app (what production runs, default to
the production settings, which refuse to start without ``SECRET_KEY``).

The default is applied by the entry point itself, never by a module that something
else imports first: ``config/__init__.py`` imports the Celery app, so a default set
there would win over the one ``config.wsgi`` asks for.
"""

import os

DEVELOPMENT = "config.settings.base"
PRODUCTION = "config.settings.production"


def choose(default: str) -> str:
    """Use DJANGO_SETTINGS_MODULE when set, else `default`; return what runs."""
    return os.environ.setdefault("DJANGO_SETTINGS_MODULE", default)
