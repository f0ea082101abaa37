"""Zalo's OAuth v4: the app id goes as `app_id`, the secret as a `secret_key` header,
PKCE's `code_verifier` with the code; the profile comes from the Graph API with the
access token in an `access_token` header. Endpoints are overridable in
SOCIALACCOUNT_PROVIDERS["zalo"] (tests point them at a local server)."""

from __future__ import annotations

from http import HTTPStatus

from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.providers.oauth2.client import OAuth2Client, OAuth2Error
from allauth.socialaccount.providers.oauth2.views import (
    OAuth2Adapter,
    OAuth2CallbackView,
    OAuth2LoginView,
)
from django.conf import settings

DEFAULT_AUTHORIZE_URL = "https://oauth.zaloapp.com/v4/permission"
DEFAULT_ACCESS_TOKEN_URL = "https://oauth.zaloapp.com/v4/access_token"
DEFAULT_PROFILE_URL = "https://graph.zalo.me/v2.0/me"


def _setting(name: str, default: str) -> str:
    return getattr(settings, "SOCIALACCOUNT_PROVIDERS", {}).get("zalo", {}).get(name, default)


class ZaloOAuth2Client(OAuth2Client):
    client_id_parameter = "app_id"

    def get_access_token(self, code, pkce_code_verifier=None, extra_data=None):
        data = {"app_id": self.consumer_key, "code": code, "grant_type": "authorization_code"}
        if pkce_code_verifier:
            data["code_verifier"] = pkce_code_verifier
        headers = {"secret_key": self.consumer_secret}
        with get_adapter().get_requests_session() as session:
            response = session.post(self.access_token_url, data=data, headers=headers)
        payload = None
        if response.status_code == HTTPStatus.OK:
            payload = response.json()
        if not payload or "access_token" not in payload:
            raise OAuth2Error(f"Error retrieving access token: {response.content!r}")
        return payload


class ZaloOAuth2Adapter(OAuth2Adapter):
    provider_id = "zalo"
    client_class = ZaloOAuth2Client

    @property
    def authorize_url(self) -> str:
        return _setting("AUTHORIZE_URL", DEFAULT_AUTHORIZE_URL)

    @property
    def access_token_url(self) -> str:
        return _setting("ACCESS_TOKEN_URL", DEFAULT_ACCESS_TOKEN_URL)

    @property
    def profile_url(self) -> str:
        return _setting("PROFILE_URL", DEFAULT_PROFILE_URL)

    def complete_login(self, request, app, token, **kwargs):
        with get_adapter().get_requests_session() as session:
            response = session.get(
                self.profile_url,
                params={"fields": "id,name,picture"},
                headers={"access_token": token.token},
            )
        if response.status_code != HTTPStatus.OK:
            raise OAuth2Error(f"Error retrieving the Zalo profile: {response.status_code}")
        extra_data = response.json()
        if "id" not in extra_data:
            raise OAuth2Error(f"Zalo profile without id: {extra_data!r}")
        return self.get_provider().sociallogin_from_response(request, extra_data)


oauth2_login = OAuth2LoginView.adapter_view(ZaloOAuth2Adapter)
oauth2_callback = OAuth2CallbackView.adapter_view(ZaloOAuth2Adapter)
