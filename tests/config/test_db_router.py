"""Read-replica routing (config/db_router.py), against a real second connection.

The test settings define "replica" as a mirror of the test database; routing is
off until READ_REPLICA_ALIAS names it, as production does when
DATABASE_REPLICA_URL is set.
"""

import pytest
from django.core.cache import cache
from django.db import connections
from django.test.utils import CaptureQueriesContext

from tests.initiatives.submission_helpers import make_initiative

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


def _tables(captured) -> str:
    return " ".join(query["sql"] for query in captured.captured_queries)


def _capture(client, url):
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        response = client.get(url)
    assert response.status_code == 200
    return _tables(primary), _tables(replica)


def test_the_public_library_reads_from_the_replica_when_one_is_configured(
    client, settings, personas, country
):
    settings.READ_REPLICA_ALIAS = "replica"
    make_initiative(unit=country.grassroots_a, entered_by=personas.worker_a, state="valid")

    primary, replica = _capture(client, "/sang-kien/thu-vien/")

    assert "initiatives_initiative" in replica
    assert "initiatives_initiative" not in primary


def test_the_leaderboard_reads_from_the_replica(client, settings, personas):
    settings.READ_REPLICA_ALIAS = "replica"

    primary, replica = _capture(client, "/xep-hang/")

    assert replica
    assert "federation_orgunit" not in primary


def test_who_is_signed_in_is_always_read_from_the_primary(client, settings, personas):
    settings.READ_REPLICA_ALIAS = "replica"
    client.force_login(personas.worker_a)
    cache.clear()  # the session from the database, not from its cached copy

    primary, replica = _capture(client, "/sang-kien/thu-vien/")

    assert "django_session" in primary and "accounts_user" in primary
    assert "django_session" not in replica and "accounts_user" not in replica


def test_a_worker_reads_their_own_pages_from_the_primary(client, settings, personas):
    settings.READ_REPLICA_ALIAS = "replica"
    client.force_login(personas.worker_a)

    primary, replica = _capture(client, "/sang-kien/cua-toi/")

    assert "initiatives_initiative" in primary
    assert replica == ""


def test_without_a_replica_everything_reads_from_the_primary(client, settings, personas):
    assert settings.READ_REPLICA_ALIAS is None

    primary, replica = _capture(client, "/sang-kien/thu-vien/")

    assert "initiatives_initiative" in primary
    assert replica == ""
