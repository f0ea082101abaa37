"""A person's own API tokens at /tai-khoan/khoa-api/: the key is shown once, works
against /api/v1/ with `Authorization: Token <key>`, and stops working when revoked."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.api_tokens import (
    MAX_TOKENS_PER_PERSON,
    MSG_TOKEN_INVALID,
    MSG_TOO_MANY_TOKENS,
    api_token_create,
)
from accounts.models import ApiToken
from accounts.models.tokens import digest

pytestmark = pytest.mark.django_db

PAGE = "/tai-khoan/khoa-api/"
API = "/api/v1/units/"
KEY_IN_PAGE = re.compile(r'id="new-token-key"[^>]*value="([0-9a-f]{40})"')


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user, backend="accounts.auth_backends.EmailOrPhoneBackend")
    return client


def api_with(key: str) -> APIClient:
    client = APIClient()  # no session: the key alone must identify the caller
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_the_account_page_links_to_the_tokens(personas):
    page = signed_in(personas.worker_a).get("/tai-khoan/").content.decode()
    assert f'href="{PAGE}"' in page


def test_a_new_key_is_shown_once_and_authenticates_as_its_owner(personas, country):
    client = signed_in(personas.reviewer_b)
    response = client.post(PAGE, {"name": "Báo cáo hằng tuần", "days": "30"})
    assert response.status_code == 302 and response.url == PAGE

    page = client.get(PAGE)
    assert page["Cache-Control"].startswith("max-age=0") or "no-store" in page["Cache-Control"]
    key = KEY_IN_PAGE.search(page.content.decode()).group(1)
    token = ApiToken.objects.get(user=personas.reviewer_b)
    assert token.name == "Báo cáo hằng tuần" and token.key_hash == digest(key)
    assert key not in (token.prefix, token.key_hash)
    assert 30 * 86400 - 60 < (token.expires_at - token.created_at).total_seconds() <= 30 * 86400

    # The key answers for its owner, scoped like the owner: province B only.
    response = api_with(key).get(API)
    assert response.status_code == 200
    codes = {unit["code"] for unit in response.json()["results"]}
    assert codes == {country.province_b.code, country.grassroots_b.code}

    # A reload shows the token in the list, never the key again.
    again = client.get(PAGE).content.decode()
    assert key not in again and 'data-testid="new-token"' not in again
    assert "Báo cáo hằng tuần" in again and f"{token.prefix}…" in again


def test_last_use_is_listed(personas):
    client = signed_in(personas.worker_a)
    _token, key = api_token_create(user=personas.worker_a, name="Bảng tính")
    assert "Chưa dùng" in client.get(PAGE).content.decode()
    api_with(key).get(API)
    row = re.search(r"<tr data-token=.*?</tr>", client.get(PAGE).content.decode(), re.S).group(0)
    assert "Chưa dùng" not in row


def test_revoking_makes_the_key_fail(personas):
    client = signed_in(personas.worker_a)
    token, key = api_token_create(user=personas.worker_a, name="Cũ")
    assert api_with(key).get(API).status_code == 200

    assert client.get(f"{PAGE}{token.pk}/thu-hoi/").status_code == 405  # POST only
    response = client.post(f"{PAGE}{token.pk}/thu-hoi/")
    assert response.status_code == 302 and response.url == PAGE
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    refused = api_with(key).get(API)
    assert refused.status_code == 403 and refused.json()["detail"] == MSG_TOKEN_INVALID


def test_revoking_needs_the_csrf_token(personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.worker_a, backend="accounts.auth_backends.EmailOrPhoneBackend")
    token, _key = api_token_create(user=personas.worker_a)
    assert client.post(f"{PAGE}{token.pk}/thu-hoi/").status_code == 403
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_nobody_sees_or_revokes_someone_elses_token(personas):
    theirs, their_key = api_token_create(user=personas.officer_a, name="Của cán bộ")
    client = signed_in(personas.worker_a)
    assert "Của cán bộ" not in client.get(PAGE).content.decode()
    assert client.post(f"{PAGE}{theirs.pk}/thu-hoi/").status_code == 404
    assert ApiToken.objects.filter(pk=theirs.pk).exists()
    assert api_with(their_key).get(API).status_code == 200


def test_a_missing_name_is_explained_and_nothing_is_created(personas):
    client = signed_in(personas.worker_a)
    response = client.post(PAGE, {"name": "", "days": "90"})
    assert response.status_code == 200
    assert "Hãy đặt tên cho khoá" in response.content.decode()
    assert not ApiToken.objects.exists()
    # An expiry outside the offered choices is refused, the name kept.
    response = client.post(PAGE, {"name": "Giữ tên", "days": "100000"})
    assert response.status_code == 200 and 'value="Giữ tên"' in response.content.decode()
    assert not ApiToken.objects.exists()


def test_the_number_of_tokens_is_bounded(personas):
    for n in range(MAX_TOKENS_PER_PERSON):
        api_token_create(user=personas.worker_a, name=f"k{n}")
    response = signed_in(personas.worker_a).post(PAGE, {"name": "Thêm", "days": "90"})
    assert response.status_code == 200
    assert MSG_TOO_MANY_TOKENS.format(count=MAX_TOKENS_PER_PERSON) in response.content.decode()
    assert ApiToken.objects.filter(user=personas.worker_a).count() == MAX_TOKENS_PER_PERSON


def test_a_password_change_is_shown_on_the_list(personas):
    api_token_create(user=personas.worker_a, name="Trước khi đổi")
    personas.worker_a.set_password("Mat-khau-moi-2026")
    personas.worker_a.save()
    page = signed_in(personas.worker_a).get(PAGE).content.decode()
    assert "Mất hiệu lực (đã đổi mật khẩu)" in page


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and response.url.startswith("/tai-khoan/dang-nhap/")


def test_a_persons_tokens_share_one_throttle(personas, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "50/min", "user": "3/min"})
    _first, one = api_token_create(user=personas.worker_a, name="Một")
    _second, two = api_token_create(user=personas.worker_a, name="Hai")
    _theirs, other = api_token_create(user=personas.officer_a, name="Khác")
    statuses = [api_with(key).get(API).status_code for key in (one, two, one)]
    assert statuses == [200, 200, 200]
    throttled = api_with(two).get(API)
    assert throttled.status_code == 429 and int(throttled["Retry-After"]) > 0
    assert api_with(other).get(API).status_code == 200  # another person has their own
