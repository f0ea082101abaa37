"""A person's own account: sessions they can see and end, and their data as JSON."""

from __future__ import annotations

import json

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from accounts import membership as people
from accounts.models import UserSession
from tests.initiatives.submission_helpers import form_data

pytestmark = pytest.mark.django_db
PASSWORD = "matkhau-An-toan-123"


def _sign_in(user, agent: str) -> Client:
    client = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR="127.0.0.9")
    response = client.post("/tai-khoan/dang-nhap/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_a_person_sees_their_sessions_and_ends_one(personas):
    worker = personas.worker_a
    phone = _sign_in(worker, "Mozilla/5.0 (Android 14) Zalo")
    laptop = _sign_in(worker, "Mozilla/5.0 (X11; Linux) Firefox/130")
    _sign_in(personas.officer_a, "Officer browser")

    page = laptop.get("/tai-khoan/").content.decode()
    assert "Android 14" in page and "Firefox/130" in page and "Officer browser" not in page
    phone_session = UserSession.objects.get(user=worker, user_agent__contains="Android")
    assert phone_session.ip_address == "127.0.0.9"

    response = laptop.post(f"/tai-khoan/phien/{phone_session.pk}/ket-thuc/")
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=phone_session.session_key).exists()
    # The phone is signed out; the laptop is not.
    assert phone.get("/sang-kien/cua-toi/").status_code == 302
    assert laptop.get("/sang-kien/cua-toi/").status_code == 200
    # Nobody ends someone else's session.
    officer_session = UserSession.objects.get(user=personas.officer_a)
    assert laptop.post(f"/tai-khoan/phien/{officer_session.pk}/ket-thuc/").status_code == 404


def test_data_export_holds_profile_memberships_roles_and_initiatives(client_for, personas, country):
    worker = personas.worker_a
    people.membership_request(
        user=worker, unit=country.grassroots_a, confirmed_by=personas.officer_a
    )
    client = client_for(worker)
    client.post("/sang-kien/moi/", form_data(country.grassroots_a))
    response = client.get("/tai-khoan/du-lieu-cua-toi.json")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["profile"]["email"] == worker.email
    assert [m["unit_code"] for m in data["memberships"]] == [country.grassroots_a.code]
    assert {r["role"] for r in data["roles"]} == {"member"}
    assert [i["title"] for i in data["initiatives"]] == ["Cải tiến băng tải phân loại tôm"]


def test_last_seen_is_refreshed_at_most_every_few_minutes(personas):
    import datetime as dt

    from django.utils import timezone

    from accounts.middleware import SessionActivityMiddleware

    client = _sign_in(personas.worker_a, "Mozilla/5.0 (Android 14)")
    row = UserSession.objects.get(user=personas.worker_a)
    long_ago = timezone.now() - dt.timedelta(days=2)
    UserSession.objects.filter(pk=row.pk).update(last_seen=long_ago)
    client.get("/sang-kien/cua-toi/")
    row.refresh_from_db()
    assert row.last_seen == long_ago  # seen at login a moment ago: no write yet
    session = client.session
    session[SessionActivityMiddleware.SESSION_KEY] = 0
    session.save()
    client.get("/sang-kien/cua-toi/")
    row.refresh_from_db()
    assert row.last_seen > long_ago + dt.timedelta(days=1)
