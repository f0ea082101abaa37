"""Sign-in with Zalo (OAuth v4 + PKCE) against a provider served on 127.0.0.1 over
real HTTP: the portal's own HTTP client talks to it, nothing is mocked."""

from __future__ import annotations

import copy
import re

import pytest
import requests
from django.conf import settings
from django.test import override_settings

from accounts.models import Membership, User
from initiatives.models import Initiative, Status
from tests.accounts.people_helpers import seafood_union
from tests.initiatives.submission_helpers import form_data
from tests.oauth_provider import OAuthProvider

pytestmark = pytest.mark.django_db

ZALO_PERSON = {
    "id": "8473625190001",
    "name": "Lê Thị Zalo",
    "picture": {"data": {"url": "https://example.invalid/a.jpg"}},
}


@pytest.fixture
def zalo():
    provider = OAuthProvider(app_id="zalo-app-123", secret="zalo-secret-456").start()
    provider.next_person = dict(ZALO_PERSON)
    providers = copy.deepcopy(settings.SOCIALACCOUNT_PROVIDERS)
    providers["zalo"].update(provider.endpoints())
    providers["zalo"]["APPS"] = [
        {"client_id": provider.app_id, "secret": provider.secret, "key": ""}
    ]
    with override_settings(SOCIALACCOUNT_PROVIDERS=providers):
        yield provider
    provider.stop()


def _sign_in_with_zalo(client, zalo) -> None:
    """Press the Zalo button, let the browser follow the provider, come back."""
    response = client.post("/tai-khoan/mxh/zalo/login/")
    assert response.status_code == 302
    assert response.url.startswith(f"{zalo.url}/v4/permission?")
    # The "browser" goes to the provider over real HTTP and is sent back with a code.
    consent = requests.get(response.url, allow_redirects=False, timeout=10)
    assert consent.status_code == 302
    callback = consent.headers["Location"]
    assert callback.startswith("http://testserver/tai-khoan/mxh/zalo/login/callback/?")
    response = client.get(callback.removeprefix("http://testserver"))
    assert response.status_code == 302, response.content.decode()[:2000]


def test_login_page_shows_only_providers_with_credentials(client, zalo):
    page = client.get("/tai-khoan/dang-nhap/").content.decode()
    assert 'data-provider="zalo"' in page
    assert 'data-provider="google"' not in page and 'data-provider="facebook"' not in page


def test_no_provider_is_shown_without_credentials(client):
    page = client.get("/tai-khoan/dang-nhap/").content.decode()
    assert 'data-testid="social-login"' not in page


def test_new_zalo_user_registers_is_confirmed_and_submits(
    client, client_for, personas, country, zalo
):
    union = seafood_union(country)
    _sign_in_with_zalo(client, zalo)

    # PKCE and Zalo's dialect went over the wire as Zalo expects them.
    authorize = next(r for r in zalo.requests_seen if r[1] == "/v4/permission")
    assert authorize[2]["code_challenge_method"] == "S256"
    token_call = next(r for r in zalo.requests_seen if r[1] == "/v4/access_token")
    assert token_call[2]["app_id"] == zalo.app_id and token_call[2]["code_verifier"]
    assert token_call[3]["secret_key"] == zalo.secret
    profile_call = next(r for r in zalo.requests_seen if r[1] == "/v2.0/me")
    assert profile_call[2]["fields"] == "id,name,picture" and profile_call[3]["access_token"]

    user = User.objects.get(socialaccount__provider="zalo", socialaccount__uid=ZALO_PERSON["id"])
    assert user.full_name == "Lê Thị Zalo" and user.must_complete_profile
    assert user.email is None and user.phone is None
    # Before anything else: complete the registration.
    response = client.get("/sang-kien/moi/")
    assert response.status_code == 302 and response.url == "/tai-khoan/hoan-tat/"
    # The union is found by typing its name without accents.
    results = client.get(
        "/tai-khoan/dang-ky/don-vi/", {"tim-don-vi": "cong doan co so cong ty thuy san"}
    ).content.decode()
    code = re.search(r"code=([^\"&]+)", results).group(1)
    assert code == union.code
    response = client.post(
        "/tai-khoan/hoan-tat/",
        {
            "full_name": "Lê Thị Zalo",
            "date_of_birth": "1995-02-03",
            "phone": "+84 935 000 777",
            "unit": code,
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.must_complete_profile and user.phone == "0935000777"
    assert str(user.date_of_birth) == "1995-02-03"
    membership = Membership.objects.get(user=user)
    assert (membership.unit, membership.status) == (union, Membership.Status.PENDING)

    # A draft now; submitting waits for the officer.
    client.post("/sang-kien/moi/", form_data(union, action="submit", step="5"))
    initiative = Initiative.objects.get(owner=user)
    assert initiative.status == Status.DRAFT

    officer = client_for(personas.officer_a)
    officer.post("/doan-vien/cho-xac-nhan/quyet-dinh/", {"only": membership.pk})
    membership.refresh_from_db()
    assert membership.status == Membership.Status.CONFIRMED

    # Signing in with Zalo again finds the same account, which then submits.
    client.logout()
    _sign_in_with_zalo(client, zalo)
    assert User.objects.filter(socialaccount__provider="zalo").count() == 1
    response = client.post(
        f"/sang-kien/{initiative.pk}/sua/", form_data(union, action="submit", step="5")
    )
    assert response.status_code == 302 and response.url == f"/sang-kien/{initiative.pk}/"
    initiative.refresh_from_db()
    assert initiative.status != Status.DRAFT and initiative.unit == union


def test_a_wrong_app_secret_signs_nobody_in(client, zalo):
    zalo.secret = "not-the-configured-secret"
    response = client.post("/tai-khoan/mxh/zalo/login/")
    consent = requests.get(response.url, allow_redirects=False, timeout=10)
    response = client.get(consent.headers["Location"].removeprefix("http://testserver"))
    assert response.status_code == 401  # allauth's authentication error page
    assert not User.objects.filter(socialaccount__provider="zalo").exists()
    assert "_auth_user_id" not in client.session


def test_a_replayed_code_without_the_verifier_is_refused(zalo):
    """The provider itself checks PKCE: a code cannot be redeemed without its verifier."""
    consent = requests.get(
        f"{zalo.url}/v4/permission",
        params={
            "app_id": zalo.app_id,
            "redirect_uri": "http://testserver/cb/",
            "code_challenge": "abc",
            "code_challenge_method": "S256",
            "state": "s",
        },
        allow_redirects=False,
        timeout=10,
    )
    code = re.search(r"code=([^&]+)", consent.headers["Location"]).group(1)
    response = requests.post(
        f"{zalo.url}/v4/access_token",
        data={"app_id": zalo.app_id, "code": code, "code_verifier": "wrong"},
        headers={"secret_key": zalo.secret},
        timeout=10,
    )
    assert response.status_code == 400


def test_the_posters_union_carries_over_to_the_completion_after_zalo(client, country, zalo):
    union = seafood_union(country)
    page = client.get("/tai-khoan/dang-ky/", {"don-vi": union.code}).content.decode()
    assert 'data-provider="zalo"' in page
    _sign_in_with_zalo(client, zalo)
    page = client.get("/tai-khoan/hoan-tat/").content.decode()
    assert f'name="unit" value="{union.code}"' in page


def test_a_provider_without_credentials_cannot_be_used(client):
    response = client.post("/tai-khoan/mxh/google/login/")
    assert response.status_code == 404
