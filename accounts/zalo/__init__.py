"""Zalo sign-in (OAuth v4 with PKCE) as an allauth provider on its OAuth2 base."""
