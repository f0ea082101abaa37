"""A small OAuth2 provider served over real HTTP on 127.0.0.1, for the sign-in tests.

It speaks Zalo's v4 dialect (authorize at /v4/permission with `app_id` and a PKCE
S256 challenge; token at /v4/access_token with `app_id`, `code`, `code_verifier`
and the app secret in a `secret_key` header; profile at /v2.0/me with the access
token in an `access_token` header). The authorize step consents at once for the
person set in `next_person`, as a provider's consent screen would after a click.
Every request is kept in `requests_seen` so tests can check what was sent.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit


@dataclass
class OAuthProvider:
    app_id: str
    secret: str
    next_person: dict = field(default_factory=dict)
    codes: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)
    requests_seen: list = field(default_factory=list)
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

    # --- the three endpoints -----------------------------------------------------------

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
