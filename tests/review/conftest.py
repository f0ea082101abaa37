import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def fresh_cache():
    """Reviewer figures are cached per user id; ids repeat across rolled-back tests."""
    cache.clear()
    yield
    cache.clear()
