"""Language and formats (issue 14): no English left in Vietnamese pages, the admin and the
API; notices written in the recipient's language, which the language switch remembers."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.api_tokens import MSG_TOKEN_INVALID
from core.models import Notice
from review import services as review_services
from tests.review.helpers import archived_source, flagged_copy

pytestmark = pytest.mark.django_db


def test_the_phone_menu_button_is_vietnamese(client_for, personas):
    html = client_for(personas.worker_a).get(reverse("home")).content.decode()
    assert "<summary>Danh mục</summary>" in html
    assert ">Menu<" not in html


def test_the_admin_names_its_sections_in_vietnamese(client, personas):
    admin = personas.admin
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin, backend="accounts.auth_backends.EmailOrPhoneBackend")
    html = client.get("/admin/").content.decode()
    for english in ("Auth Token", "Axes", "Periodic Tasks", "Django", "Tokens", "access attempts"):
        assert english not in html, english
    # API keys are the portal's own hashed ones (accounts.api_tokens), named in Vietnamese.
    for vietnamese in ("Quản trị Cổng Sáng kiến", "Khoá API", "Chống dò mật khẩu"):
        assert vietnamese in html, vietnamese


def test_api_errors_are_vietnamese():
    client = APIClient()
    response = client.get("/api/v1/initiatives/")
    assert response.status_code in (401, 403)
    assert response.json()["detail"].startswith("Chưa cung cấp thông tin xác thực")
    client.credentials(HTTP_AUTHORIZATION="Token sai")
    assert client.get("/api/v1/initiatives/").json()["detail"] == MSG_TOKEN_INVALID


def test_a_limit_message_has_no_space_before_its_full_stop(client_for, personas):
    from initiatives.forms import AuthorForm

    form = AuthorForm({"full_name": "A", "contribution_percent": "150"})
    assert not form.is_valid()
    message = form.errors["contribution_percent"][0]
    assert message.endswith("100.") and " ." not in message


def test_the_language_switch_has_a_button_and_is_remembered(client_for, personas):
    client = client_for(personas.worker_a)
    html = client.get(reverse("home")).content.decode()
    assert 'data-testid="language-submit"' in html
    assert "onchange" not in html
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    personas.worker_a.refresh_from_db()
    assert personas.worker_a.language == "en"


def test_a_decision_is_written_in_the_authors_language(
    client_for, personas, country, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    personas.worker_a.language = "en"
    personas.worker_a.save()
    source = archived_source(unit=country.grassroots_b, owner=personas.worker_b)
    item = flagged_copy(
        unit=country.grassroots_a, owner=personas.worker_a, source=source, title="Cờ A"
    )
    # The reviewer works in Vietnamese; the author reads English. The email leaves
    # through the outbox when the decision commits.
    with django_capture_on_commit_callbacks(execute=True):
        review_services.review_decide(
            initiative=item, reviewer=personas.reviewer_a, decision="return", reason="Trích nguồn."
        )
    notice = Notice.objects.get(recipient=personas.worker_a)
    assert notice.subject.startswith("Initiative")
    assert "Trích nguồn." in notice.body and "Lý do" not in notice.body
    assert len(mail.outbox) == 1
    assert "Kính gửi" not in mail.outbox[0].body


def test_a_request_in_english_leaves_the_thread_in_vietnamese(client):
    """Threads serve one request after another: an English page must not make the next
    request's messages (or a background message rendered in the same thread) English."""
    from django.conf import settings
    from django.utils import translation

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("home"))
    assert response.headers["Content-Language"] == "en"
    assert translation.get_language() == settings.LANGUAGE_CODE
