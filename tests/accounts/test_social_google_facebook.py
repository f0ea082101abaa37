"""Sign-in with Google (OpenID Connect) and Facebook (Graph API) against a provider
served on 127.0.0.1 over real HTTP by the test itself (tests/oauth_provider.py):
allauth's own adapters and HTTP client do the work, nothing is mocked.

allauth reads Google's and Facebook's endpoints from settings once, when its views
are imported; the fixtures below point those adapters (and the module-level URLs their
helpers use) at the local provider for the length of one test."""

from __future__ import annotations

import copy
import re

import jwt
import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.test import Client, override_settings

from accounts.models import Membership, User
from accounts.social import (
    MSG_CONNECTED_BY_EMAIL,
    MSG_EMAIL_HAS_ACCOUNT,
    MSG_PASSWORD_RETIRED,
)
from tests.accounts.people_helpers import PASSWORD, seafood_union
from tests.oauth_provider import OAuthProvider

pytestmark = pytest.mark.django_db

GOOGLE_PERSON = {
    "sub": "109876543210987654321",
    "email": "tran.van.google@gmail.com",
    "email_verified": True,
    "name": "Trần Văn Google",
    "given_name": "Google",
    "family_name": "Trần Văn",
    "picture": "https://example.invalid/g.png",
}
FACEBOOK_PERSON = {
    "id": "10160000000000042",
    "name": "Nguyễn Thị Facebook",
    "first_name": "Facebook",
    "last_name": "Nguyễn Thị",
    "email": "nguyen.facebook@example.vn",
}


def _with_app(provider_id: str, idp: OAuthProvider, **endpoints) -> dict:
    providers = copy.deepcopy(settings.SOCIALACCOUNT_PROVIDERS)
    providers[provider_id].update(endpoints)
    providers[provider_id]["APPS"] = [{"client_id": idp.app_id, "secret": idp.secret, "key": ""}]
    return providers


@pytest.fixture
def google(monkeypatch):
    from allauth.socialaccount.providers.google import views as google_views

    idp = OAuthProvider(
        app_id="sangkien.apps.googleusercontent.example",
        secret="google-client-secret-for-the-local-provider",
    )
    idp.start()
    idp.next_person = dict(GOOGLE_PERSON)
    endpoints = idp.google_endpoints()
    adapter = google_views.GoogleOAuth2Adapter
    monkeypatch.setattr(adapter, "authorize_url", endpoints["AUTHORIZE_URL"])
    monkeypatch.setattr(adapter, "access_token_url", endpoints["ACCESS_TOKEN_URL"])
    monkeypatch.setattr(adapter, "identity_url", endpoints["IDENTITY_URL"])
    monkeypatch.setattr(adapter, "id_token_issuer", endpoints["ID_TOKEN_ISSUER"])
    monkeypatch.setattr(google_views, "CERTS_URL", endpoints["CERTS_URL"])
    monkeypatch.setattr(google_views, "ID_TOKEN_ISSUER", endpoints["ID_TOKEN_ISSUER"])
    with override_settings(SOCIALACCOUNT_PROVIDERS=_with_app("google", idp, **endpoints)):
        yield idp
    idp.stop()


@pytest.fixture
def facebook(monkeypatch):
    from allauth.socialaccount.providers.facebook import flows
    from allauth.socialaccount.providers.facebook import views as facebook_views

    idp = OAuthProvider(
        app_id="1234567890123", secret="facebook-app-secret-for-the-local-graph-api"
    ).start()
    idp.next_person = dict(FACEBOOK_PERSON)
    adapter = facebook_views.FacebookOAuth2Adapter
    monkeypatch.setattr(adapter, "authorize_url", f"{idp.graph_url}/dialog/oauth")
    monkeypatch.setattr(adapter, "access_token_url", f"{idp.graph_url}/oauth/access_token")
    monkeypatch.setattr(flows, "GRAPH_API_URL", idp.graph_url)
    providers = _with_app("facebook", idp, GRAPH_API_URL=idp.graph_url)
    with override_settings(SOCIALACCOUNT_PROVIDERS=providers):
        yield idp
    idp.stop()


def sign_in_with(client, provider_id: str, idp: OAuthProvider, data=None):
    """Press the provider's button, let the "browser" follow the provider over real
    HTTP (it consents at once), and come back to the portal's callback."""
    response = client.post(f"/tai-khoan/mxh/{provider_id}/login/", data or {})
    assert response.status_code == 302
    assert response.url.startswith(idp.url), response.url
    consent = requests.get(response.url, allow_redirects=False, timeout=10)
    assert consent.status_code == 302, consent.text
    callback = consent.headers["Location"]
    prefix = f"http://testserver/tai-khoan/mxh/{provider_id}/login/callback/?"
    assert callback.startswith(prefix)
    return client.get(callback.removeprefix("http://testserver"))


def complete_registration_by_search(client, union, phone: str) -> None:
    """The first page after a new social sign-in asks for what the provider did not tell;
    the union is found by typing its name without accents."""
    response = client.get("/sang-kien/moi/")
    assert response.status_code == 302 and response.url == "/tai-khoan/hoan-tat/"
    results = client.get(
        "/tai-khoan/dang-ky/don-vi/", {"tim-don-vi": "cong doan co so cong ty thuy san"}
    ).content.decode()
    code = re.search(r"code=([^\"&]+)", results).group(1)
    assert code == union.code
    response = client.post(
        "/tai-khoan/hoan-tat/",
        {"full_name": "", "date_of_birth": "1993-04-05", "phone": phone, "unit": code},
    )
    assert response.status_code == 200  # a missing name is explained, the rest kept
    page = response.content.decode()
    assert 'value="1993-04-05"' in page and f'name="unit" value="{code}"' in page
    response = client.post(
        "/tai-khoan/hoan-tat/",
        {"full_name": "Họ Tên Đầy Đủ", "date_of_birth": "1993-04-05", "phone": phone, "unit": code},
    )
    assert response.status_code == 302


def test_a_new_google_user_registers_and_waits_for_the_officer(client, country, google):
    union = seafood_union(country)
    response = sign_in_with(client, "google", google)
    assert response.status_code == 302

    # OpenID Connect went over the wire: PKCE, the secret at the token endpoint,
    # an id_token issued by the local provider for this client.
    authorize = next(r for r in google.requests_seen if r[1] == "/o/oauth2/v2/auth")
    assert authorize[2]["code_challenge_method"] == "S256"
    assert set(authorize[2]["scope"].split()) == {"profile", "email"}
    token_call = next(r for r in google.requests_seen if r[1] == "/token")
    assert token_call[2]["client_secret"] == google.secret and token_call[2]["code_verifier"]
    # The picture is not in the id_token: allauth fetched the userinfo with the token.
    userinfo = next(r for r in google.requests_seen if r[1] == "/oauth2/v2/userinfo")
    assert userinfo[3]["Authorization"].startswith("Bearer ")

    user = User.objects.get(
        socialaccount__provider="google", socialaccount__uid=GOOGLE_PERSON["sub"]
    )
    assert user.email == GOOGLE_PERSON["email"] and user.full_name == "Trần Văn Google"
    assert user.must_complete_profile and user.phone is None
    assert SocialAccount.objects.get(user=user).extra_data["picture"] == GOOGLE_PERSON["picture"]

    complete_registration_by_search(client, union, phone="")  # Google gave an email
    user.refresh_from_db()
    assert not user.must_complete_profile and user.full_name == "Họ Tên Đầy Đủ"
    membership = Membership.objects.get(user=user)
    assert (membership.unit, membership.status) == (union, Membership.Status.PENDING)

    # Next time Google signs the same person in; nobody new is created.
    client.logout()
    assert sign_in_with(client, "google", google).status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk
    assert User.objects.filter(email__iexact=GOOGLE_PERSON["email"]).count() == 1


def test_a_new_facebook_user_registers_and_waits_for_the_officer(client, country, facebook):
    union = seafood_union(country)
    response = sign_in_with(client, "facebook", facebook)
    assert response.status_code == 302

    # The Graph API calls carried the app secret proof the local Graph API checks.
    me = next(r for r in facebook.requests_seen if r[1] == "/v19.0/me")
    assert me[2]["appsecret_proof"] and "email" in me[2]["fields"].split(",")
    token_call = next(r for r in facebook.requests_seen if r[1] == "/v19.0/oauth/access_token")
    assert token_call[0] == "GET" and token_call[2]["client_secret"] == facebook.secret

    user = User.objects.get(socialaccount__provider="facebook")
    assert user.full_name == "Nguyễn Thị Facebook" and user.must_complete_profile
    complete_registration_by_search(client, union, phone="+84 935 111 222")
    user.refresh_from_db()
    assert user.phone == "0935111222" and not user.must_complete_profile
    membership = Membership.objects.get(user=user)
    assert (membership.unit, membership.status) == (union, Membership.Status.PENDING)


@pytest.mark.parametrize(
    "forged",
    [{"aud": "someone-elses-client"}, {"iss": "https://accounts.example.invalid"}, {"exp": 1}],
    ids=["audience", "issuer", "expired"],
)
def test_an_id_token_for_another_client_or_issuer_or_expired_signs_nobody_in(
    client, google, forged
):
    google.id_token_overrides = forged
    response = sign_in_with(client, "google", google)
    assert response.status_code == 401  # allauth's authentication error page
    assert not User.objects.filter(socialaccount__provider="google").exists()
    assert "_auth_user_id" not in client.session


def test_a_wrong_app_secret_signs_nobody_in_with_facebook(client, facebook):
    facebook.secret = "not-the-secret-the-portal-was-given"
    response = sign_in_with(client, "facebook", facebook)
    assert response.status_code == 401
    assert not User.objects.filter(socialaccount__provider="facebook").exists()


def test_the_id_token_names_the_local_issuer_and_this_client(google):
    consent = requests.get(
        f"{google.url}/o/oauth2/v2/auth",
        params={
            "client_id": google.app_id,
            "redirect_uri": "http://testserver/cb/",
            "response_type": "code",
            "scope": "profile email",
            "state": "s",
            "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            "code_challenge_method": "S256",
        },
        allow_redirects=False,
        timeout=10,
    )
    code = re.search(r"code=([^&]+)", consent.headers["Location"]).group(1)
    answer = requests.post(
        f"{google.url}/token",
        data={
            "client_id": google.app_id,
            "client_secret": google.secret,
            "code": code,
            "grant_type": "authorization_code",
            "redirect_uri": "http://testserver/cb/",
            "code_verifier": "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",  # RFC 7636's example
        },
        timeout=10,
    ).json()
    claims = jwt.decode(
        answer["id_token"], google.secret, algorithms=["HS256"], audience=google.app_id
    )
    assert claims["iss"] == google.url and claims["sub"] == GOOGLE_PERSON["sub"]


def test_google_with_a_verified_email_connects_the_existing_account(client, personas, google):
    """Google vouches for the address: that proves what the reset mail would, so the
    existing account is signed in and connected, never duplicated. Its old password
    (the address was never verified here) stops working, so whoever registered the
    address first keeps no way in; other signed-in devices are signed out by that."""
    worker = personas.worker_a
    other_device = Client()
    other_device.force_login(worker, backend="accounts.auth_backends.EmailOrPhoneBackend")
    google.next_person = {**GOOGLE_PERSON, "email": worker.email.upper()}

    response = sign_in_with(client, "google", google)
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == worker.pk
    assert User.objects.filter(email__iexact=worker.email).count() == 1
    account = SocialAccount.objects.get(provider="google")
    assert account.user == worker and account.uid == GOOGLE_PERSON["sub"]
    worker.refresh_from_db()
    assert not worker.has_usable_password() and not worker.must_complete_profile
    assert other_device.get("/sang-kien/cua-toi/").status_code == 302  # signed out
    page = client.get("/tai-khoan/").content.decode()
    assert MSG_CONNECTED_BY_EMAIL.format(provider="Google", email=worker.email) in page
    assert MSG_PASSWORD_RETIRED in page
    assert "Google" in page.split('data-testid="sign-in-methods"')[1].split("</section>")[0]


def test_google_with_an_unverified_email_does_not_take_an_existing_account(
    client, personas, google
):
    worker = personas.worker_a
    google.next_person = {**GOOGLE_PERSON, "email": worker.email, "email_verified": False}
    response = sign_in_with(client, "google", google)
    assert response.status_code == 302 and response.url == "/tai-khoan/dang-nhap/"
    assert "_auth_user_id" not in client.session
    assert not SocialAccount.objects.exists()
    assert User.objects.filter(email__iexact=worker.email).count() == 1
    worker.refresh_from_db()
    assert worker.has_usable_password()
    page = client.get(response.url).content.decode()
    assert MSG_EMAIL_HAS_ACCOUNT.format(email=worker.email, provider="Google") in page


def test_facebook_with_an_existing_email_is_refused_then_connected_by_its_owner(
    client, personas, facebook
):
    """Facebook does not say the address is verified: no automatic connection and no
    second account. The owner signs in with the password and connects Facebook on the
    account page; from then on Facebook signs them in."""
    worker = personas.worker_a
    worker.set_password(PASSWORD)
    worker.save()
    facebook.next_person = {**FACEBOOK_PERSON, "email": worker.email}

    response = sign_in_with(client, "facebook", facebook)
    assert response.status_code == 302 and response.url == "/tai-khoan/dang-nhap/"
    assert "_auth_user_id" not in client.session
    assert not SocialAccount.objects.exists()
    assert User.objects.filter(email__iexact=worker.email).count() == 1
    login_page = client.get("/tai-khoan/dang-nhap/").content.decode()
    assert MSG_EMAIL_HAS_ACCOUNT.format(email=worker.email, provider="Facebook") in login_page

    response = client.post(
        "/tai-khoan/dang-nhap/", {"username": worker.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    account_page = client.get("/tai-khoan/").content.decode()
    assert 'data-connect="facebook"' in account_page
    response = sign_in_with(client, "facebook", facebook, data={"process": "connect"})
    assert response.status_code == 302 and response.url == "/tai-khoan/"
    assert SocialAccount.objects.get(provider="facebook").user == worker
    worker.refresh_from_db()
    assert worker.has_usable_password()  # connected by its owner: nothing retired
    assert 'data-connect="facebook"' not in client.get("/tai-khoan/").content.decode()

    client.logout()
    assert sign_in_with(client, "facebook", facebook).status_code == 302
    assert int(client.session["_auth_user_id"]) == worker.pk
    assert User.objects.count() == User.objects.filter(socialaccount__isnull=True).count() + 1


def test_a_facebook_account_of_someone_else_cannot_be_connected(client, personas, facebook):
    sign_in_with(client, "facebook", facebook)  # a new person registers with Facebook
    stranger = User.objects.get(socialaccount__provider="facebook")
    client.logout()
    client.force_login(personas.worker_a, backend="accounts.auth_backends.EmailOrPhoneBackend")
    response = sign_in_with(client, "facebook", facebook, data={"process": "connect"})
    assert response.status_code == 302 and response.url == "/tai-khoan/"
    assert SocialAccount.objects.get(provider="facebook").user == stranger


@pytest.mark.parametrize("missing", ["client_id", "secret"])
def test_a_provider_without_its_id_or_secret_is_not_offered(client, google, missing):
    providers = copy.deepcopy(settings.SOCIALACCOUNT_PROVIDERS)
    providers["google"]["APPS"][0][missing] = ""
    page = client.get("/tai-khoan/dang-nhap/").content.decode()
    assert 'data-provider="google"' in page  # configured: offered
    with override_settings(SOCIALACCOUNT_PROVIDERS=providers):
        page = client.get("/tai-khoan/dang-nhap/").content.decode()
        assert 'data-provider="google"' not in page
        assert 'data-provider="google"' not in client.get("/tai-khoan/dang-ky/").content.decode()
        assert client.post("/tai-khoan/mxh/google/login/").status_code == 404


def test_the_environment_decides_which_providers_exist(monkeypatch):
    """config/settings/base.py builds the providers from the environment."""
    from config.settings import base

    monkeypatch.setenv("FACEBOOK_CLIENT_ID", "fb-id")
    monkeypatch.delenv("FACEBOOK_SECRET", raising=False)
    monkeypatch.setenv("GOOGLE_CLIENT_ID", "g-id")
    monkeypatch.setenv("GOOGLE_SECRET", "g-secret")
    facebook = base._social_provider("FACEBOOK", {})
    google = base._social_provider("GOOGLE", {})
    assert "APPS" not in facebook
    assert google["APPS"] == [{"client_id": "g-id", "secret": "g-secret", "key": ""}]
