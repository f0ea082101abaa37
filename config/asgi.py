"""ASGI entry point. Production settings unless DJANGO_SETTINGS_MODULE says otherwise."""

from config.settings import PRODUCTION, choose

choose(PRODUCTION)

from django.core.asgi import get_asgi_application  # noqa: E402

application = get_asgi_application()
