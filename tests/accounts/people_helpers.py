"""Shared steps for the registration, membership and people tests."""

from __future__ import annotations

from tests.factories import UnitFactory

SEAFOOD_UNION_NAME = "Công đoàn cơ sở Công ty Cổ phần Thủy sản Sao Mai"
PASSWORD = "Cai-tien-Bang-tai-2025"


def seafood_union(country):
    return UnitFactory(code="LDLD92-G77", name=SEAFOOD_UNION_NAME, parent=country.upper_a)


def registration_data(unit_code: str, login: str = "+84 912 000 111", **overrides) -> dict:
    data = {
        "full_name": "Trần Thị Thu",
        "date_of_birth": "1992-05-17",
        "login": login,
        "password1": PASSWORD,
        "password2": PASSWORD,
        "unit": unit_code,
    }
    data.update(overrides)
    return data


def people_objects(country, personas) -> dict:
    """What the persona matrix points at for the registration and people pages."""
    from accounts import membership as people
    from accounts.api_tokens import api_token_create
    from accounts.models import RoleAssignment, UserSession
    from tests.factories import UserFactory

    applicant = UserFactory(email="applicant_a@example.vn", full_name="Người Đăng Ký")
    pending = people.membership_request(user=applicant, unit=country.grassroots_a)
    return {
        "pending_membership_a": pending,
        "worker_a_member_role": RoleAssignment.objects.get(user=personas.worker_a),
        "worker_a_session": UserSession.objects.create(
            session_key="matrix-session-worker-a", user=personas.worker_a
        ),
        "worker_a_token": api_token_create(user=personas.worker_a, name="Bảng tính")[0],
        "invitation_a": people.invitation_token(
            unit=country.grassroots_a, officer=personas.grassroots_officer_a
        ),
    }
