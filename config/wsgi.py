"""WSGI entry point (gunicorn). Production settings unless DJANGO_SETTINGS_MODULE says otherwise."""

from config.settings import PRODUCTION, choose

choose(PRODUCTION)

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.urls import get_resolver  # noqa: E402

application = get_wsgi_application()

# Import the URLconf, and with it every view, form and admin module, now: gunicorn
# loads this module once before forking (preload_app), so no process pays for it on
# its first request.
get_resolver().url_patterns  # noqa: B018 - the access imports them
