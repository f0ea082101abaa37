import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from accounts.models import User, normalize_phone
from accounts.tenancy import scope_for

pytestmark = pytest.mark.django_db


def test_login_with_email_or_phone(client, personas):
    worker = personas.worker_a
    worker.phone = "0912 345 678"
    worker.full_clean(exclude=["password"])
    worker.save()
    response = client.post(
        "/tai-khoan/dang-nhap/",
        {"username": "WORKER_A@example.vn", "password": "matkhau-An-toan-123"},
    )
    assert response.status_code == 302
    client.logout()
    response = client.post(
        "/tai-khoan/dang-nhap/", {"username": "+84 912 345 678", "password": "matkhau-An-toan-123"}
    )
    assert response.status_code == 302


def test_wrong_password_gets_a_vietnamese_message_and_keeps_the_login(client, personas):
    response = client.post(
        "/tai-khoan/dang-nhap/", {"username": "worker_a@example.vn", "password": "sai"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "mật khẩu không đúng" in page
    assert 'value="worker_a@example.vn"' in page


def test_login_is_rate_limited(client, personas):
    for _ in range(5):
        client.post("/tai-khoan/dang-nhap/", {"username": "worker_a@example.vn", "password": "sai"})
    response = client.post(
        "/tai-khoan/dang-nhap/",
        {"username": "worker_a@example.vn", "password": "matkhau-An-toan-123"},
    )
    assert response.status_code == 429
    assert "tạm khóa" in response.content.decode()


def test_home_page_is_vietnamese_and_shows_the_users_unit(client_for, personas, country):
    page = client_for(personas.worker_a).get("/").content.decode()
    assert '<html lang="vi"' in page
    assert country.grassroots_a.name in page
    assert "Đoàn viên" in page


def test_password_pages_are_vietnamese(client_for, personas):
    assert (
        "Đổi mật khẩu"
        in client_for(personas.worker_a).get("/tai-khoan/doi-mat-khau/").content.decode()
    )
    assert "Quên mật khẩu" in client_for(None).get("/tai-khoan/quen-mat-khau/").content.decode()


def test_password_reset_sends_a_vietnamese_email(
    client, personas, mailoutbox, django_capture_on_commit_callbacks
):
    # The mail leaves through the outbox once the request's transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/tai-khoan/quen-mat-khau/", {"email": "worker_a@example.vn"})
    assert len(mailoutbox) == 1
    assert "Đặt lại mật khẩu" in mailoutbox[0].subject


def test_phone_numbers_are_normalised():
    assert normalize_phone("+84 90-123.4567") == "0901234567"
    assert normalize_phone("0901234567") == "0901234567"


def test_a_user_needs_email_or_phone():
    with pytest.raises(ValueError):
        User.objects.create_user(full_name="Không Liên Lạc", password="x")


def test_scope_covers_the_subtree_and_nothing_else(personas, country):
    scope = scope_for(personas.reviewer_a)
    units = set(scope.units().values_list("code", flat=True))
    assert units == {"LDLD92", "LDLD92-U01", "LDLD92-G01", "LDLD92-G02"}
    assert scope_for(personas.worker_a).is_empty
    assert scope_for(personas.leader).contains(country.grassroots_b)


@override_settings(DEBUG=False)
def test_seed_demo_refuses_without_debug():
    with pytest.raises(CommandError):
        call_command("seed_demo")


@override_settings(DEBUG=True)
def test_seed_demo_builds_a_country_with_one_account_per_role(capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "congnhan@demo.vn" in out and "lanhdao@demo.vn" in out
    from accounts.models import Role, RoleAssignment

    assert set(RoleAssignment.objects.values_list("role", flat=True)) == set(Role.values)
    assert User.objects.get(email="congnhan@demo.vn").check_password("demo")


def test_pages_are_vietnamese_whatever_the_browser_asks_and_english_when_chosen(client):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="vi"' in page and "Đăng nhập" in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/").content.decode()
    assert '<html lang="en"' in page and "Log in" in page


def test_every_scope_of_a_request_comes_from_one_read_of_the_roles(
    personas, country, django_assert_num_queries
):
    from accounts.tenancy import OFFICER_ROLES, REVIEW_ROLES, roles_of

    reviewer = User.objects.get(pk=personas.reviewer_a.pk)  # as a request loads it
    with django_assert_num_queries(1):
        roles_of(reviewer)
        every_role = scope_for(reviewer)
        reviewing = scope_for(reviewer, REVIEW_ROLES)
        officer = scope_for(reviewer, OFFICER_ROLES)

    # The units as they stand now (the fixture's instances predate later inserts).
    inside = type(country.grassroots_a).objects.get(pk=country.grassroots_a.pk)
    outside = type(country.grassroots_b).objects.get(pk=country.grassroots_b.pk)
    assert every_role.contains(inside) and reviewing.contains(inside)
    assert not every_role.contains(outside)
    assert officer.is_empty
