"""WSGI entry point (gunicorn). Production settings unless DJANGO_SETTINGS_MODULE says otherwise."""

from config.settings import PRODUCTION, choose

choose(PRODUCTION)

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
