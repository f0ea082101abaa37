"""Reads about the similarity check that web pages need, without loading the engine."""

from django.conf import settings


def webcheck_enabled() -> bool:
    """Whether a search provider is configured: without one the web check is off, and
    the portal says so rather than pretending it ran."""
    return bool(
        settings.WEBCHECK_SEARXNG_URL
        or (settings.WEBCHECK_GOOGLE_API_KEY and settings.WEBCHECK_GOOGLE_ENGINE_ID)
    )
