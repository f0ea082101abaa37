"""A small OAuth2/OpenID provider served over real HTTP on 127.0.0.1, for the
sign-in tests. It speaks three dialects, each at the paths the real one uses:

- Zalo's v4: authorize at /v4/permission with `app_id` and a PKCE S256 challenge;
  token at /v4/access_token with `app_id`, `code`, `code_verifier` and the app secret
  in a `secret_key` header; profile at /v2.0/me with the access token in an
  `access_token` header.
- Google's OpenID Connect: authorize at /o/oauth2/v2/auth (PKCE S256); token at
  /token with `client_id`, `client_secret`, `code`, `redirect_uri` and
  `code_verifier`, answering an access token and a signed `id_token` whose issuer is
  this server; userinfo at /oauth2/v2/userinfo with a Bearer token.
- Facebook's Graph API: the dialog at /v19.0/dialog/oauth; the token by GET at
  /v19.0/oauth/access_token; the profile at /v19.0/me, which insists on the
  `appsecret_proof` (HMAC-SHA256 of the access token with the app secret).

The authorize step consents at once for the person set in `next_person`, as a
provider's consent screen would after a click. Every request is kept in
`requests_seen` so tests can check what was sent.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt

GRAPH_VERSION = "v19.0"


def _s256(verifier: str) -> str:
    return (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )


def _json(status: int, body: dict) -> tuple[int, dict, bytes]:
    return status, {}, json.dumps(body).encode()


@dataclass
class OAuthProvider:
    app_id: str
    secret: str
    next_person: dict = field(default_factory=dict)
    codes: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)
    requests_seen: list = field(default_factory=list)
    # Claims to force into the next id_tokens (tests of a forged or stale token).
    id_token_overrides: dict = field(default_factory=dict)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def endpoints(self) -> dict:
        return {
            "AUTHORIZE_URL": f"{self.url}/v4/permission",
            "ACCESS_TOKEN_URL": f"{self.url}/v4/access_token",
            "PROFILE_URL": f"{self.url}/v2.0/me",
        }

    def google_endpoints(self) -> dict:
        return {
            "AUTHORIZE_URL": f"{self.url}/o/oauth2/v2/auth",
            "ACCESS_TOKEN_URL": f"{self.url}/token",
            "IDENTITY_URL": f"{self.url}/oauth2/v2/userinfo",
            "CERTS_URL": f"{self.url}/oauth2/v1/certs",
            "ID_TOKEN_ISSUER": self.url,
        }

    @property
    def graph_url(self) -> str:
        return f"{self.url}/{GRAPH_VERSION}"

    def _grant(self, person: dict, challenge: str | None, redirect_uri: str, state: str):
        code = secrets.token_urlsafe(16)
        self.codes[code] = {
            "challenge": challenge,
            "person": dict(person),
            "redirect_uri": redirect_uri,
        }
        return 302, {"Location": f"{redirect_uri}?{urlencode({'code': code, 'state': state})}"}, b""

    def _redeem(self, code: str, redirect_uri: str, verifier: str | None) -> dict | None:
        """The grant behind a code, once; PKCE checked when the code was asked with it."""
        grant = self.codes.pop(code, None)
        if grant is None or grant["redirect_uri"] != redirect_uri:
            return None
        if grant["challenge"] is not None and _s256(verifier or "") != grant["challenge"]:
            return None
        return grant

    # --- Zalo ----------------------------------------------------------------------------

    def authorize(self, query: dict) -> tuple[int, dict, bytes]:
        if query.get("app_id") != self.app_id or query.get("code_challenge_method") != "S256":
            return 400, {}, b"bad authorize request"
        code = secrets.token_urlsafe(16)
        self.codes[code] = {
            "challenge": query["code_challenge"],
            "person": dict(self.next_person),
        }
        target = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"
        return 302, {"Location": target}, b""

    def token(self, form: dict, headers) -> tuple[int, dict, bytes]:
        if headers.get("secret_key") != self.secret or form.get("app_id") != self.app_id:
            return 401, {}, json.dumps({"error": -14014, "message": "invalid app"}).encode()
        grant = self.codes.pop(form.get("code", ""), None)
        verifier = form.get("code_verifier", "")
        challenge = (
            base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            .rstrip(b"=")
            .decode()
        )
        if grant is None or challenge != grant["challenge"]:
            return 400, {}, json.dumps({"error": -14019, "message": "invalid code"}).encode()
        access_token = secrets.token_urlsafe(24)
        self.tokens[access_token] = grant["person"]
        body = {"access_token": access_token, "refresh_token": "r", "expires_in": "3600"}
        return 200, {}, json.dumps(body).encode()

    def profile(self, query: dict, headers) -> tuple[int, dict, bytes]:
        person = self.tokens.get(headers.get("access_token", ""))
        if person is None:
            return 401, {}, json.dumps({"error": 452, "message": "invalid token"}).encode()
        wanted = query.get("fields", "").split(",")
        return 200, {}, json.dumps({k: v for k, v in person.items() if k in wanted}).encode()

    # --- Google (OpenID Connect) ---------------------------------------------------------

    def google_authorize(self, query: dict) -> tuple[int, dict, bytes]:
        if (
            query.get("client_id") != self.app_id
            or query.get("response_type") != "code"
            or "profile" not in query.get("scope", "").split()
            or query.get("code_challenge_method") != "S256"
        ):
            return 400, {}, b"bad authorize request"
        return self._grant(
            self.next_person, query["code_challenge"], query["redirect_uri"], query["state"]
        )

    def google_token(self, form: dict) -> tuple[int, dict, bytes]:
        if form.get("client_id") != self.app_id or form.get("client_secret") != self.secret:
            return _json(401, {"error": "invalid_client"})
        grant = self._redeem(
            form.get("code", ""), form.get("redirect_uri", ""), form.get("code_verifier")
        )
        if grant is None or form.get("grant_type") != "authorization_code":
            return _json(400, {"error": "invalid_grant"})
        person = grant["person"]
        access_token = secrets.token_urlsafe(24)
        self.tokens[access_token] = person
        now = int(time.time())
        claims = {
            "iss": self.url,
            "aud": self.app_id,
            "azp": self.app_id,
            "iat": now,
            "exp": now + 3600,
            "jti": secrets.token_hex(8),
            **{k: v for k, v in person.items() if k != "picture"},
            **self.id_token_overrides,
        }
        # HS256 with the client secret: an OpenID provider may sign so (OIDC Core 10.1).
        id_token = jwt.encode(claims, self.secret, algorithm="HS256")
        return _json(
            200,
            {
                "access_token": access_token,
                "expires_in": 3599,
                "id_token": id_token,
                "scope": "openid profile email",
                "token_type": "Bearer",
            },
        )

    def google_userinfo(self, headers) -> tuple[int, dict, bytes]:
        scheme, _, access_token = headers.get("Authorization", "").partition(" ")
        person = self.tokens.get(access_token) if scheme == "Bearer" else None
        if person is None:
            return _json(401, {"error": "invalid_token"})
        info = {"id": person["sub"], "verified_email": person.get("email_verified", False)}
        info.update({k: v for k, v in person.items() if k not in ("sub", "email_verified")})
        return _json(200, info)

    # --- Facebook (Graph API) -------------------------------------------------------------

    def facebook_dialog(self, query: dict) -> tuple[int, dict, bytes]:
        if query.get("client_id") != self.app_id or query.get("response_type") != "code":
            return 400, {}, b"bad dialog request"
        return self._grant(self.next_person, None, query["redirect_uri"], query["state"])

    def facebook_token(self, query: dict) -> tuple[int, dict, bytes]:
        if query.get("client_id") != self.app_id or query.get("client_secret") != self.secret:
            return _json(400, {"error": {"type": "OAuthException", "code": 1}})
        grant = self._redeem(query.get("code", ""), query.get("redirect_uri", ""), None)
        if grant is None:
            return _json(400, {"error": {"type": "OAuthException", "code": 100}})
        access_token = secrets.token_urlsafe(24)
        self.tokens[access_token] = grant["person"]
        return _json(
            200, {"access_token": access_token, "token_type": "bearer", "expires_in": 5183944}
        )

    def facebook_me(self, query: dict) -> tuple[int, dict, bytes]:
        access_token = query.get("access_token", "")
        person = self.tokens.get(access_token)
        proof = hmac.new(self.secret.encode(), access_token.encode(), hashlib.sha256).hexdigest()
        if person is None or not hmac.compare_digest(query.get("appsecret_proof", ""), proof):
            return _json(400, {"error": {"type": "OAuthException", "code": 190}})
        wanted = query.get("fields", "").split(",")
        return _json(200, {k: v for k, v in person.items() if k in wanted})

    # --- serving -------------------------------------------------------------------------

    def start(self) -> OAuthProvider:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def _send(self, status, headers, body):
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                provider.requests_seen.append(("GET", parts.path, query, dict(self.headers)))
                if parts.path == "/v4/permission":
                    self._send(*provider.authorize(query))
                elif parts.path == "/v2.0/me":
                    self._send(*provider.profile(query, self.headers))
                elif parts.path == "/o/oauth2/v2/auth":
                    self._send(*provider.google_authorize(query))
                elif parts.path == "/oauth2/v2/userinfo":
                    self._send(*provider.google_userinfo(self.headers))
                elif parts.path == f"/{GRAPH_VERSION}/dialog/oauth":
                    self._send(*provider.facebook_dialog(query))
                elif parts.path == f"/{GRAPH_VERSION}/oauth/access_token":
                    self._send(*provider.facebook_token(query))
                elif parts.path == f"/{GRAPH_VERSION}/me":
                    self._send(*provider.facebook_me(query))
                else:
                    self._send(404, {}, b"{}")

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length).decode()
                form = {k: v[0] for k, v in parse_qs(raw).items()}
                path = urlsplit(self.path).path
                provider.requests_seen.append(("POST", path, form, dict(self.headers)))
                if path == "/v4/access_token":
                    self._send(*provider.token(form, self.headers))
                elif path == "/token":
                    self._send(*provider.google_token(form))
                else:
                    self._send(404, {}, b"{}")

            def log_message(self, *args):  # keep test output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)  # a free port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
