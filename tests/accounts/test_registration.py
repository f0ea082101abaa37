"""Self-registration at /tai-khoan/dang-ky/: from the QR poster, from the login page,
with an accent-free search for the grassroots union, and by an officer's invitation."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import unquote

import pytest
from django.test import override_settings

from accounts import membership as people
from accounts.forms import MSG_LOGIN_TAKEN, MSG_PHONE_INVALID, MSG_PICK_UNIT
from accounts.models import Membership, Role, RoleAssignment, User
from accounts.registration import MSG_TOO_MANY_REGISTRATIONS
from federation.services import unit_close
from tests.accounts.people_helpers import PASSWORD, registration_data, seafood_union

pytestmark = pytest.mark.django_db
REGISTER = "/tai-khoan/dang-ky/"


def test_accent_free_search_finds_the_union_by_its_folded_name(client, country):
    union = seafood_union(country)
    response = client.get(
        "/tai-khoan/dang-ky/don-vi/", {"tim-don-vi": "cong doan co so cong ty thuy san"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert union.name in page
    assert country.grassroots_a2.name not in page  # "Bệnh viện Cần Thơ" does not match
    # Upper case and accents typed by the person are folded the same way.
    page = client.get("/tai-khoan/dang-ky/don-vi/", {"tim-don-vi": "THỦY SẢN sao"}).content
    assert union.name in page.decode()


def test_search_lists_only_active_grassroots_unions(client, country):
    union = seafood_union(country)
    unit_close(unit=union, effective_date=dt.date(2025, 7, 1))
    page = client.get("/tai-khoan/dang-ky/don-vi/", {"tim-don-vi": "thuy san sao mai"}).content
    assert union.name not in page.decode()
    # Provinces are not grassroots unions, whatever their name.
    page = client.get("/tai-khoan/dang-ky/don-vi/", {"tim-don-vi": "ldld thanh pho can tho"})
    assert country.province_a.name not in page.content.decode()


def test_picking_a_union_puts_its_code_in_the_form(client, country):
    union = seafood_union(country)
    page = client.get("/tai-khoan/dang-ky/don-vi/chon/", {"code": union.code}).content.decode()
    assert f'name="unit" value="{union.code}"' in page


def test_registration_from_the_poster_link_creates_a_pending_member(client, country):
    union = seafood_union(country)
    page = client.get(REGISTER, {"don-vi": union.code}).content.decode()
    assert union.name in page and f'value="{union.code}"' in page

    response = client.post(f"{REGISTER}?don-vi={union.code}", registration_data(union.code))

    assert response.status_code == 302
    assert response.url == f"/sang-kien/moi/?don_vi={union.code}"
    user = User.objects.get(phone="0912000111")  # +84 912 000 111, normalised
    assert user.full_name == "Trần Thị Thu" and str(user.date_of_birth) == "1992-05-17"
    assert user.check_password(PASSWORD)
    membership = Membership.objects.get(user=user)
    assert (membership.unit, membership.status) == (union, Membership.Status.PENDING)
    assert not RoleAssignment.objects.filter(user=user).exists()  # no member role yet
    # Signed in: the initiative form opens on the union and says submitting waits.
    form = client.get(response.url).content.decode()
    assert 'data-testid="membership-pending"' in form


def test_registration_with_email_and_phone_spellings(client, country):
    union = seafood_union(country)
    client.post(REGISTER, registration_data(union.code, login="Thu.Tran@Example.VN"))
    assert User.objects.filter(email="thu.tran@example.vn").exists()
    client.logout()
    client.post(REGISTER, registration_data(union.code, login="0913-222-333"))
    assert User.objects.filter(phone="0913222333").exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"login": "12345"}, "login", MSG_PHONE_INVALID),
        ({"unit": ""}, "unit", MSG_PICK_UNIT),
        ({"password1": "12345678", "password2": "12345678"}, "password1", None),
        ({"password1": "Trần Thị Thu", "password2": "Trần Thị Thu"}, "password1", None),
        ({"password1": "0912000111", "password2": "0912000111"}, "password1", None),
    ],
)
def test_registration_refuses_bad_input_with_vietnamese_messages(
    client, country, overrides, field, message
):
    union = seafood_union(country)
    response = client.post(REGISTER, registration_data(union.code, **overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    if message is not None:
        assert message in errors
    else:
        # Django's password validators, in Vietnamese (LANGUAGE_CODE = "vi").
        assert errors and not any("password" in e.lower() for e in errors)
    assert not User.objects.filter(full_name="Trần Thị Thu").exists()


def test_registration_refuses_a_phone_that_has_an_account(client, country, personas):
    personas.worker_a.phone = "0912000111"
    personas.worker_a.save()
    union = seafood_union(country)
    response = client.post(REGISTER, registration_data(union.code))
    assert MSG_LOGIN_TAKEN in response.context["form"].errors["login"]


@override_settings(REGISTRATION_RATE_LIMIT=2)
def test_registration_is_rate_limited_per_address(client, country):
    from django.core.cache import cache

    cache.clear()
    union = seafood_union(country)
    for number in range(2):
        client.post(REGISTER, registration_data(union.code, login=f"09140000{number:02d}"))
        client.logout()
    response = client.post(REGISTER, registration_data(union.code, login="0914000099"))
    assert response.status_code == 200
    assert MSG_TOO_MANY_REGISTRATIONS in response.context["form"].non_field_errors()
    assert not User.objects.filter(phone="0914000099").exists()
    assert User.objects.filter(phone__startswith="09140000").count() == 2


def test_signed_in_people_following_the_poster_link_go_to_the_form(client_for, personas, country):
    response = client_for(personas.worker_a).get(REGISTER, {"don-vi": country.grassroots_a.code})
    assert response.status_code == 302
    assert response.url == f"/sang-kien/moi/?don_vi={country.grassroots_a.code}"


def test_poster_encodes_the_registration_link(client_for, personas, country, settings):
    settings.SITE_URL = "https://sangkien.congdoan.vn"
    page = (
        client_for(personas.officer_a)
        .get(f"/sang-kien/ap-phich/{country.grassroots_a.code}/")
        .content.decode()
    )
    # The public address, whatever host the officer reached.
    assert f"{settings.SITE_URL}/tai-khoan/dang-ky/?don-vi={country.grassroots_a.code}" in page


def test_login_page_links_to_registration_keeping_the_unit(client, country):
    code = country.grassroots_a.code
    page = client.get("/tai-khoan/dang-nhap/", {"next": f"/sang-kien/moi/?don_vi={code}"})
    link = re.search(r'href="([^"]+)" data-testid="register-link"', page.content.decode())
    assert link is not None
    assert f"don-vi={code}" in link.group(1)
    registration = client.get(link.group(1).replace("&amp;", "&")).content.decode()
    assert country.grassroots_a.name in registration


def test_invitation_link_registers_a_confirmed_member(client, client_for, personas, country):
    officer = personas.grassroots_officer_a
    page = client_for(officer).get("/doan-vien/moi-tham-gia/", {"unit": country.grassroots_a.code})
    link = re.search(r'value="(http://testserver/tai-khoan/loi-moi/[^"]+)"', page.content.decode())
    assert link is not None
    client.logout()
    response = client.get(link.group(1))
    assert response.status_code == 302 and response.url.startswith(REGISTER)
    token = unquote(response.url.split("loi-moi=")[1])
    response = client.post(
        REGISTER,
        registration_data("", **{"loi-moi": token, "login": "0915111222"}),
    )
    assert response.status_code == 302
    user = User.objects.get(phone="0915111222")
    membership = Membership.objects.get(user=user)
    assert membership.status == Membership.Status.CONFIRMED
    assert membership.decided_by == officer
    assert RoleAssignment.objects.filter(
        user=user, unit=country.grassroots_a, role=Role.MEMBER
    ).exists()


def test_a_tampered_or_stale_invitation_is_refused(client, personas, country):
    token = people.invitation_token(unit=country.grassroots_a, officer=personas.officer_a)
    response = client.get(f"/tai-khoan/loi-moi/{token[:-2]}xx/")
    assert people.MSG_INVITATION_INVALID in response.content.decode()
    # An officer who lost the role can no longer invite.
    RoleAssignment.objects.filter(user=personas.officer_a).delete()
    response = client.get(f"/tai-khoan/loi-moi/{token}/")
    assert people.MSG_INVITATION_INVALID in response.content.decode()


def test_a_refused_person_asks_to_join_another_union(client, client_for, personas, country):
    union = seafood_union(country)
    client.post(REGISTER, registration_data(union.code))
    person = User.objects.get(phone="0912000111")
    people.membership_refuse(membership=person.memberships.get(), officer=personas.officer_a)
    client = client_for(person)
    assert 'data-testid="join-link"' in client.get("/tai-khoan/").content.decode()
    response = client.post("/tai-khoan/vao-cong-doan/", {"unit": ""})
    assert MSG_PICK_UNIT in response.context["form"].errors["unit"]
    response = client.post("/tai-khoan/vao-cong-doan/", {"unit": country.grassroots_a2.code})
    assert response.status_code == 302
    statuses = list(person.memberships.order_by("pk").values_list("unit", "status"))
    assert statuses == [(union.pk, "refused"), (country.grassroots_a2.pk, "pending")]
    # Once in a union, the page sends them to their account instead.
    assert client.get("/tai-khoan/vao-cong-doan/").status_code == 302
