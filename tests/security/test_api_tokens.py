"""Finding: API tokens never expired, were stored in plain text and survived a
password change."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.api_tokens import MSG_TOKEN_INVALID, api_token_create
from accounts.models import ApiToken
from accounts.models.tokens import digest

pytestmark = pytest.mark.django_db

URL = "/api/v1/initiatives/"


def client_with(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_only_the_hash_is_stored(personas):
    token, key = api_token_create(user=personas.worker_a)
    assert client_with(key).get(URL).status_code == 200
    stored = ApiToken.objects.values_list("prefix", "key_hash").get()
    assert key not in stored and stored == (key[:8], digest(key))


def test_an_expired_token_is_refused(personas):
    token, key = api_token_create(user=personas.worker_a, days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = client_with(key).get(URL)
    assert response.status_code in (401, 403)
    assert response.json()["detail"] == MSG_TOKEN_INVALID


def test_a_password_change_revokes_every_token(personas):
    _token, key = api_token_create(user=personas.worker_a)
    personas.worker_a.set_password("mat-khau-moi-2026")
    personas.worker_a.save()
    assert client_with(key).get(URL).status_code in (401, 403)


def test_the_command_prints_the_key_once(personas, capsys):
    call_command("create_api_token", personas.worker_a.email.upper(), "--days", "7")
    key = capsys.readouterr().out.strip()
    assert client_with(key).get(URL).status_code == 200
    assert ApiToken.objects.get().expires_at < timezone.now() + dt.timedelta(days=8)
