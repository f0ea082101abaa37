"""Memberships and roles managed by officers in the portal, inside their subtree only."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from accounts import membership as people
from accounts.models import Membership, Role, RoleAssignment, RoleGrantLog, User
from core.tabular import ImportReport
from federation.services import unit_merge
from initiatives.models import Initiative, Status
from tests.accounts.people_helpers import registration_data, seafood_union
from tests.factories import UnitFactory, UserFactory, grant
from tests.initiatives.submission_helpers import form_data

pytestmark = pytest.mark.django_db


def _register(client, union, login="0912000111"):
    client.post("/tai-khoan/dang-ky/", registration_data(union.code, login=login))
    return User.objects.get(phone=login)


@pytest.fixture
def registrant(client, country):
    union = seafood_union(country)
    user = _register(client, union)
    client.logout()
    return user


def test_pending_member_writes_drafts_but_cannot_submit_until_confirmed(
    client, client_for, personas, registrant
):
    union = registrant.memberships.get().unit
    worker = client_for(registrant)
    response = worker.post("/sang-kien/moi/", form_data(union, action="submit"))
    initiative = Initiative.objects.get(owner=registrant)
    assert initiative.status == Status.DRAFT and initiative.unit == union
    page = worker.get(f"/sang-kien/{initiative.pk}/sua/").content.decode()
    assert 'data-testid="membership-pending"' in page
    response = worker.post(
        f"/sang-kien/{initiative.pk}/sua/", form_data(union, action="submit", step="5")
    )
    expected = people.MSG_MEMBERSHIP_PENDING.format(unit=union.name)
    assert expected in response.content.decode()
    initiative.refresh_from_db()
    assert initiative.status == Status.DRAFT
    # The API says the same, as a 400.
    response = worker.post(f"/api/v1/initiatives/{initiative.pk}/submit/")
    assert response.status_code == 400
    assert expected in str(response.json())

    # The grassroots officer of the union's chain confirms; the member then submits.
    officer = client_for(personas.officer_a)
    pending = officer.get("/doan-vien/cho-xac-nhan/").content.decode()
    assert registrant.full_name in pending and "17/05/1992" in pending
    membership = registrant.memberships.get()
    response = officer.post("/doan-vien/cho-xac-nhan/quyet-dinh/", {"only": membership.pk})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.status == Membership.Status.CONFIRMED
    assert membership.decided_by == personas.officer_a and membership.joined_on is not None
    worker = client_for(registrant)
    response = worker.post(f"/api/v1/initiatives/{initiative.pk}/submit/")
    assert response.status_code == 200
    initiative.refresh_from_db()
    assert initiative.status != Status.DRAFT


def test_bulk_confirm_and_refuse_act_only_inside_the_scope(client, client_for, personas, country):
    union_a = seafood_union(country)
    first, second = _register(client, union_a, "0912000001"), None
    client.logout()
    second = _register(client, union_a, "0912000002")
    client.logout()
    stranger = _register(client, country.grassroots_b, "0912000003")
    client.logout()
    ids = [m.pk for m in Membership.objects.filter(user__in=[first, second, stranger])]

    # Province B's reviewer and a worker manage nobody: 404.
    for persona in (personas.reviewer_b, personas.worker_a):
        response = client_for(persona).post(
            "/doan-vien/cho-xac-nhan/quyet-dinh/", {"membership": ids, "decision": "confirm"}
        )
        assert response.status_code == 404
    officer = client_for(personas.officer_a)
    officer.post("/doan-vien/cho-xac-nhan/quyet-dinh/", {"membership": ids, "decision": "refuse"})
    statuses = dict(Membership.objects.filter(pk__in=ids).values_list("user__phone", "status"))
    assert statuses == {"0912000001": "refused", "0912000002": "refused", "0912000003": "pending"}


def test_member_list_search_is_accent_insensitive_and_scoped(client_for, personas, country):
    person = UserFactory(full_name="Nguyễn Thị Hồng Nhung", phone="0987654321")
    people.membership_request(
        user=person, unit=country.grassroots_a, confirmed_by=personas.officer_a
    )
    far = UserFactory(full_name="Nguyễn Thị Hồng Nhung B")
    grant(far, Role.MEMBER, country.grassroots_b)
    officer = client_for(personas.officer_a)
    page = officer.get("/doan-vien/", {"q": "nguyen thi hong nhung"}).content.decode()
    assert "Nguyễn Thị Hồng Nhung<" in page and "Hồng Nhung B" not in page
    assert "Nguyễn Thị Hồng Nhung" in officer.get("/doan-vien/", {"q": "0987 654"}).content.decode()
    # Another province's person does not exist for this officer.
    assert officer.get(f"/doan-vien/{far.pk}/").status_code == 404


def test_member_list_pins_its_query_count(
    client_for, personas, country, django_assert_max_num_queries
):
    for number in range(30):
        person = UserFactory(full_name=f"Đoàn viên {number}")
        people.membership_request(
            user=person, unit=country.grassroots_a, confirmed_by=personas.officer_a
        )
    client = client_for(personas.officer_a)
    with django_assert_max_num_queries(14):
        response = client.get("/doan-vien/")
    assert response.content.decode().count("/doan-vien/") >= 30


def test_officer_grants_and_withdraws_roles_inside_the_subtree_only(client_for, personas, country):
    worker = personas.worker_a
    officer = client_for(personas.officer_a)
    url = f"/doan-vien/{worker.pk}/vai-tro/giao/"
    response = officer.post(
        url, {"role": Role.GRASSROOTS_OFFICER, "unit": country.grassroots_a.code}
    )
    assert response.status_code == 302
    assignment = RoleAssignment.objects.get(user=worker, role=Role.GRASSROOTS_OFFICER)
    log = RoleGrantLog.objects.get(user=worker, action=RoleGrantLog.Action.GRANT)
    assert (log.actor, log.unit, log.role) == (
        personas.officer_a,
        country.grassroots_a,
        assignment.role,
    )

    # Never leadership, admin or another unit officer, even inside the subtree.
    for role in (Role.LEADERSHIP, Role.ADMIN, Role.UNIT_OFFICER):
        response = officer.post(url, {"role": role, "unit": country.province_a.code})
        assert response.status_code == 400
        assert not RoleAssignment.objects.filter(user=worker, role=role).exists()
    # A unit of province B: 404, nothing granted.
    response = officer.post(url, {"role": Role.REVIEWER, "unit": country.province_b.code})
    assert response.status_code == 404
    assert not RoleAssignment.objects.filter(user=worker, unit=country.province_b).exists()

    response = officer.post(f"/doan-vien/{worker.pk}/vai-tro/{assignment.pk}/thu-hoi/")
    assert response.status_code == 302
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    assert RoleGrantLog.objects.filter(
        user=worker, action=RoleGrantLog.Action.WITHDRAW, actor=personas.officer_a
    ).exists()


def test_officer_of_b_cannot_withdraw_a_role_held_in_a(client_for, personas, country):
    officer_b = UserFactory(email="officer_b@example.vn")
    grant(officer_b, Role.UNIT_OFFICER, country.province_b)
    assignment = RoleAssignment.objects.get(user=personas.worker_a)
    response = client_for(officer_b).post(
        f"/doan-vien/{personas.worker_a.pk}/vai-tro/{assignment.pk}/thu-hoi/"
    )
    assert response.status_code == 404
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()


def test_moving_a_member_ends_the_old_membership_and_keeps_old_initiatives(
    client_for, personas, country
):
    worker = UserFactory(full_name="Lê Văn Chuyển")
    people.membership_request(
        user=worker, unit=country.grassroots_a, confirmed_by=personas.officer_a
    )
    old = Membership.objects.get(user=worker)
    old.joined_on = dt.date(2023, 1, 1)
    old.save(update_fields=["joined_on"])
    client = client_for(worker)
    client.post("/sang-kien/moi/", form_data(country.grassroots_a, action="submit", step="5"))
    submitted = Initiative.objects.get(owner=worker)
    assert submitted.status != Status.DRAFT

    response = client_for(personas.officer_a).post(
        f"/doan-vien/{worker.pk}/chuyen/",
        {"unit": country.grassroots_a2.code, "moved_on": "2025-09-01"},
    )
    assert response.status_code == 302
    old.refresh_from_db()
    assert (old.status, old.left_on) == (Membership.Status.ENDED, dt.date(2025, 9, 1))
    new = Membership.objects.get(user=worker, status=Membership.Status.CONFIRMED)
    assert (new.unit, new.joined_on) == (country.grassroots_a2, dt.date(2025, 9, 1))
    roles = set(RoleAssignment.objects.filter(user=worker).values_list("unit", "role"))
    assert roles == {(country.grassroots_a2.pk, Role.MEMBER)}
    submitted.refresh_from_db()
    assert submitted.unit == country.grassroots_a  # history is not rewritten


def test_roles_and_memberships_follow_a_merge_with_the_event_recorded(personas, country):
    closing = UnitFactory(code="LDLD92-G55", name="Công đoàn Nhà máy cũ", parent=country.upper_a)
    officer = UserFactory(full_name="Cán bộ nhà máy cũ")
    grant(officer, Role.GRASSROOTS_OFFICER, closing)
    member = UserFactory(full_name="Đoàn viên nhà máy cũ")
    people.membership_request(user=member, unit=closing, confirmed_by=personas.officer_a)

    [event] = unit_merge(
        sources=[closing], target=country.grassroots_a, effective_date=dt.date(2025, 7, 1)
    )

    assert not RoleAssignment.objects.filter(unit=closing).exists()
    assert RoleAssignment.objects.filter(
        user=officer, unit=country.grassroots_a, role=Role.GRASSROOTS_OFFICER
    ).exists()
    assert RoleAssignment.objects.filter(
        user=member, unit=country.grassroots_a, role=Role.MEMBER
    ).exists()
    moves = RoleGrantLog.objects.filter(action=RoleGrantLog.Action.MERGE_MOVE)
    assert {(m.user, m.previous_unit, m.unit) for m in moves} == {
        (officer, closing, country.grassroots_a),
        (member, closing, country.grassroots_a),
    }
    assert all(m.note == f"reorg-event:{event.pk}" for m in moves)
    memberships = Membership.objects.filter(user=member).order_by("pk")
    assert [(m.unit, m.status) for m in memberships] == [
        (closing, Membership.Status.ENDED),
        (country.grassroots_a, Membership.Status.CONFIRMED),
    ]


def _workbook(rows) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(list(people.MEMBER_IMPORT_COLUMNS))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("doan-vien.xlsx", buffer.getvalue())


def test_member_import_reports_every_bad_row_and_confirms_the_good(
    client_for, personas, country, django_capture_on_commit_callbacks, settings, tmp_path
):
    from core.models import Job

    settings.MEDIA_ROOT = tmp_path
    upload = _workbook(
        [
            ["Phạm Văn An", "12/03/1990", "+84 901 111 222", "", ""],
            ["Võ Thị Bé", "1991-07-08", "", "be.vo@example.vn", country.grassroots_a2.code],
            ["", "01/01/1990", "0901111333", "", ""],
            ["Không Liên Lạc", "01/01/1990", "", "", ""],
            ["Ngày Sai", "31/02/1990", "0901111444", "", ""],
            ["Ngoài Tỉnh", "", "0901111555", "", country.grassroots_b.code],
        ]
    )
    client = client_for(personas.officer_a)
    with django_capture_on_commit_callbacks(execute=True):  # the job runs in-process here
        response = client.post(
            "/doan-vien/nhap/", {"file": upload, "unit": country.grassroots_a.code}
        )
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/tac-vu-nhap/{job.pk}/"
    job.refresh_from_db()
    report = ImportReport.from_checkpoint(job.result)
    assert (report.created, report.confirmed) == (2, 2)
    page = client.get(response["Location"]).content.decode()
    assert page.count('data-testid="import-error"') == 4
    assert sorted((e.row, e.field) for e in report.errors) == [
        (4, "full_name"),
        (5, "phone"),
        (6, "date_of_birth"),
        (7, "unit_code"),
    ]
    an = User.objects.get(phone="0901111222")
    assert an.memberships.get().unit == country.grassroots_a
    assert User.objects.get(email="be.vo@example.vn").memberships.get().unit == (
        country.grassroots_a2
    )
    assert not User.objects.filter(phone="0901111555").exists()


def test_birth_date_and_phone_are_shown_only_to_the_person_and_their_officers(
    client_for, personas, country
):
    person = UserFactory(
        full_name="Hồ Thị Riêng", phone="0977000111", date_of_birth=dt.date(1990, 1, 2)
    )
    people.membership_request(
        user=person, unit=country.grassroots_a, confirmed_by=personas.officer_a
    )
    assert people.sees_private_details(person, person)
    assert people.sees_private_details(personas.officer_a, person)
    assert people.sees_private_details(personas.grassroots_officer_a, person)
    assert not people.sees_private_details(personas.reviewer_a, person)
    assert not people.sees_private_details(personas.worker_a, person)
    page = client_for(personas.officer_a).get(f"/doan-vien/{person.pk}/").content.decode()
    assert "0977000111" in page and "02/01/1990" in page


def test_role_grant_service_refuses_what_the_officer_may_not_give(personas, country):
    from django.core.exceptions import ValidationError
    from django.http import Http404

    with pytest.raises(ValidationError) as refused:
        people.role_grant(
            actor=personas.officer_a,
            user=personas.worker_a,
            unit=country.province_a,
            role=Role.LEADERSHIP,
        )
    assert (
        people.MSG_ROLE_NOT_GRANTABLE.format(role=Role.LEADERSHIP.label) in refused.value.messages
    )
    with pytest.raises(Http404):
        people.role_grant(
            actor=personas.officer_a,
            user=personas.worker_a,
            unit=country.province_b,
            role=Role.REVIEWER,
        )
    assert not RoleGrantLog.objects.exists()


@pytest.mark.parametrize("path", ["/doan-vien/nhap/", "/doan-vien/moi-tham-gia/"])
def test_unit_pickers_ask_in_vietnamese_not_with_dashes(client_for, personas, country, path):
    page = client_for(personas.officer_a).get(path).content.decode()
    assert "— Chọn đơn vị —" in page
    assert "---------" not in page
