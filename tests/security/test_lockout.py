"""Finding: axes keyed on the raw username, so a locked account still signed in with
case, `+84…`, space and dash variants (40 guesses instead of 4 from one address);
behind a proxy every user shared one address. Password reset was not rate-limited and
the DRF throttles were configured but inactive."""

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import RequestFactory
from rest_framework.throttling import SimpleRateThrottle

from accounts import signin
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/tai-khoan/dang-nhap/"
RESET = "/tai-khoan/quen-mat-khau/"
VARIANTS = [
    "CongNhan@Demo.VN",
    " congnhan@demo.vn ",
    "+84901234567",
    "0901 234 567",
    "090-123-4567",
    "84 901 234 567",
]


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def worker(db):
    user = UserFactory(email="congnhan@demo.vn", phone="0901234567")
    user.set_password("mat-khau-dung-1")
    user.save()
    return user


def attempt(client, login, password, **meta):
    return client.post(LOGIN, {"username": login, "password": password}, **meta)


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("CongNhan@Demo.VN", "congnhan@demo.vn"),
        ("+84 901-234-567", "0901234567"),
        ("0901.234.567", "0901234567"),
        ("84901234567", "0901234567"),
    ],
)
def test_one_account_has_one_lockout_key(raw, normalised):
    assert signin.normalise_login(raw) == normalised


def test_spelling_variants_share_one_lockout(client, worker, settings):
    for login in VARIANTS[:5]:
        attempt(client, login, "sai", REMOTE_ADDR="203.0.113.5")
    response = attempt(client, VARIANTS[5], "mat-khau-dung-1", REMOTE_ADDR="203.0.113.5")
    assert response.status_code == 429  # locked: even the right password is refused
    assert "_auth_user_id" not in client.session


def test_a_forged_x_forwarded_for_does_not_escape_the_lockout(client, worker):
    for number in range(5):
        attempt(
            client,
            "congnhan@demo.vn",
            "sai",
            REMOTE_ADDR="203.0.113.5",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{number}",
        )
    response = attempt(
        client,
        "congnhan@demo.vn",
        "mat-khau-dung-1",
        REMOTE_ADDR="203.0.113.5",
        HTTP_X_FORWARDED_FOR="198.51.100.77",
    )
    assert response.status_code == 429


def test_behind_a_declared_proxy_each_client_has_its_own_address(client, worker, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _number in range(5):
        attempt(
            client,
            "congnhan@demo.vn",
            "sai",
            REMOTE_ADDR="10.0.0.2",  # the proxy
            HTTP_X_FORWARDED_FOR="198.51.100.9",
        )
    # Another person behind the same proxy still signs in.
    response = attempt(
        client,
        "congnhan@demo.vn",
        "mat-khau-dung-1",
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.10",
    )
    assert response.status_code == 302


def test_client_ip_trusts_only_the_declared_proxies(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.9"
    )
    settings.TRUSTED_PROXY_COUNT = 0
    assert signin.client_ip(request) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    assert signin.client_ip(request) == "198.51.100.9"  # the forged left part is ignored
    settings.TRUSTED_PROXY_COUNT = 3  # more proxies declared than entries: no guess
    assert signin.client_ip(request) == "10.0.0.2"


def test_password_reset_is_rate_limited(
    client, worker, settings, django_capture_on_commit_callbacks
):
    settings.PASSWORD_RESET_PER_ACCOUNT_PER_HOUR = 3
    settings.PASSWORD_RESET_PER_ADDRESS_PER_HOUR = 10
    with django_capture_on_commit_callbacks(execute=True):  # mail leaves via the outbox
        statuses = [client.post(RESET, {"email": "congnhan@demo.vn"}).status_code for _ in range(5)]
    assert statuses == [302, 302, 302, 429, 429]
    assert len(mail.outbox) == 3
    refused = client.post(RESET, {"email": "congnhan@demo.vn"})
    assert signin.MSG_RESET_RATE_LIMITED in refused.content.decode()
    # Other accounts from the same address: limited per address too.
    others = [client.post(RESET, {"email": f"nguoi{n}@demo.vn"}).status_code for n in range(10)]
    assert others.count(302) == 4  # 10 per address in all: 6 used above


def test_drf_throttles_are_on(client, monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/min", "user": "5/min"})
    statuses = [client.get("/api/v1/rankings/").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
