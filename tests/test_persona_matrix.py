"""Every endpoint, every persona: who may read or write what (STYLE.md, Tenancy).

Each row names an endpoint, how to build its URL from the shared objects, and the
status each persona must get. Out-of-scope objects answer 404, never 403, so
nobody learns that they exist. Anonymous visitors are sent to the login page
(302) on pages and get 401/403 from the API.

Add a row here for every new page and API endpoint.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from tests.accounts.people_helpers import people_objects
from tests.conftest import PERSONA_NAMES
from tests.initiatives.import_helpers import import_objects, import_upload
from tests.initiatives.submission_helpers import form_data, submission_objects
from tests.review.helpers import review_objects

OK, REDIRECT, NOT_FOUND, DENIED, UNAUTHENTICATED = 200, 302, 404, 403, 403


@dataclass
class Endpoint:
    name: str
    url: Callable[[dict], str]
    expect: dict[str, int]
    method: str = "get"
    data: Callable[[dict], dict] = field(default=lambda objects: {})


def everyone(status: int, **overrides: int) -> dict[str, int]:
    return {name: overrides.get(name, status) for name in PERSONA_NAMES}


@pytest.fixture
def objects(country, personas) -> dict:
    """The things the matrix points at: all belong to province A unless named _b."""
    return {
        "country": country,
        "personas": personas,
        **submission_objects(country, personas),
        **review_objects(country, personas),
        **import_objects(country, personas),
        **people_objects(country, personas),
    }


ENDPOINTS: list[Endpoint] = [
    Endpoint("home", lambda o: "/", everyone(OK)),
    Endpoint(
        "unit list",
        lambda o: "/don-vi/",
        everyone(OK, anonymous=REDIRECT),
    ),
    Endpoint(
        "unit detail, grassroots of A",
        lambda o: f"/don-vi/{o['country'].grassroots_a.code}/",
        everyone(OK, worker_a=NOT_FOUND, reviewer_b=NOT_FOUND, anonymous=REDIRECT),
    ),
    Endpoint(
        "unit reorganise page, grassroots of A",
        lambda o: f"/don-vi/{o['country'].grassroots_a.code}/sap-xep/",
        everyone(NOT_FOUND, officer_a=OK, anonymous=REDIRECT),
    ),
    Endpoint(
        "unit reorganise POST, rename grassroots of A",
        lambda o: f"/don-vi/{o['country'].grassroots_a.code}/sap-xep/",
        everyone(NOT_FOUND, officer_a=REDIRECT, anonymous=REDIRECT),
        method="post",
        data=lambda o: {"action": "rename", "new_name": "Tên mới", "effective_date": "2026-01-01"},
    ),
    Endpoint(
        "unit import page",
        lambda o: "/don-vi/nhap/",
        everyone(NOT_FOUND, officer_a=OK, anonymous=REDIRECT),
    ),
    Endpoint(
        "API unit detail, grassroots of A",
        lambda o: f"/api/v1/units/{o['country'].grassroots_a.code}/",
        everyone(OK, worker_a=NOT_FOUND, reviewer_b=NOT_FOUND, anonymous=UNAUTHENTICATED),
    ),
    Endpoint(
        "API unit list",
        lambda o: "/api/v1/units/",
        everyone(OK, anonymous=UNAUTHENTICATED),
    ),
    Endpoint("initiatives home", lambda o: "/sang-kien/", everyone(REDIRECT)),
    Endpoint("initiative library", lambda o: "/sang-kien/thu-vien/", everyone(OK)),
    Endpoint(
        "initiative library page, approved of A",
        lambda o: f"/sang-kien/thu-vien/{o['initiative_approved_a'].pk}/",
        everyone(OK),
    ),
    Endpoint(
        "initiative library page, still being checked",
        lambda o: f"/sang-kien/thu-vien/{o['initiative_checking_a'].pk}/",
        everyone(NOT_FOUND),
    ),
    Endpoint("my initiatives", lambda o: "/sang-kien/cua-toi/", everyone(OK, anonymous=REDIRECT)),
    Endpoint(
        "initiatives of the viewer's units",
        lambda o: "/sang-kien/danh-sach/",
        everyone(OK, anonymous=REDIRECT),
    ),
    Endpoint("initiative form, new", lambda o: "/sang-kien/moi/", everyone(OK, anonymous=REDIRECT)),
    Endpoint(
        "initiative detail, checking of A",
        lambda o: f"/sang-kien/{o['initiative_checking_a'].pk}/",
        everyone(OK, reviewer_b=NOT_FOUND, anonymous=REDIRECT),
    ),
    Endpoint(
        "initiative detail, worker A's draft",
        lambda o: f"/sang-kien/{o['initiative_draft_a'].pk}/",
        everyone(NOT_FOUND, worker_a=OK, officer_a=OK, anonymous=REDIRECT),
    ),
    Endpoint(
        "initiative edit page, worker A's draft",
        lambda o: f"/sang-kien/{o['initiative_draft_a'].pk}/sua/",
        everyone(NOT_FOUND, worker_a=OK, officer_a=OK, anonymous=REDIRECT),
    ),
    Endpoint(
        "initiative edit POST, save worker A's draft",
        lambda o: f"/sang-kien/{o['initiative_draft_a'].pk}/sua/",
        everyone(NOT_FOUND, worker_a=REDIRECT, officer_a=REDIRECT, anonymous=REDIRECT),
        method="post",
        data=lambda o: form_data(o["country"].grassroots_a),
    ),
    Endpoint(
        "initiative attachment, worker A's draft",
        lambda o: f"/sang-kien/{o['initiative_draft_a'].pk}/tep/{o['initiative_draft_a_file'].pk}/",
        everyone(NOT_FOUND, worker_a=OK, officer_a=OK, anonymous=REDIRECT),
    ),
    Endpoint(
        "initiative attachment, confidential of A (leadership is outside its chain)",
        lambda o: (
            f"/sang-kien/{o['initiative_secret_a'].pk}/tep/{o['initiative_secret_a_file'].pk}/"
        ),
        everyone(NOT_FOUND, officer_a=OK, reviewer_a=OK, anonymous=REDIRECT),
    ),
    Endpoint(
        "initiative attachment delete POST, worker A's draft",
        lambda o: (
            f"/sang-kien/{o['initiative_draft_a'].pk}/tep/{o['initiative_draft_a_file'].pk}/xoa/"
        ),
        everyone(NOT_FOUND, worker_a=REDIRECT, officer_a=REDIRECT, anonymous=REDIRECT),
        method="post",
    ),
    Endpoint(
        "QR poster list",
        lambda o: "/sang-kien/ap-phich/",
        everyone(NOT_FOUND, officer_a=OK, anonymous=REDIRECT),
    ),
    Endpoint(
        "QR poster, grassroots of A",
        lambda o: f"/sang-kien/ap-phich/{o['country'].grassroots_a.code}/",
        everyone(NOT_FOUND, officer_a=OK, anonymous=REDIRECT),
    ),
    # --- moderation queue (issue 5): reviewers only, each in their own subtree
    Endpoint(
        "review queue",
        lambda o: "/duyet/",
        everyone(NOT_FOUND, reviewer_a=OK, reviewer_b=OK, anonymous=REDIRECT),
    ),
    Endpoint(
        "review case, flagged item of A",
        lambda o: f"/duyet/{o['review_item_a'].pk}/",
        everyone(NOT_FOUND, reviewer_a=OK, anonymous=REDIRECT),
    ),
    Endpoint(
        "review decide POST, approve flagged item of A",
        lambda o: f"/duyet/{o['review_item_a'].pk}/quyet-dinh/",
        everyone(NOT_FOUND, reviewer_a=REDIRECT, anonymous=REDIRECT),
        method="post",
        data=lambda o: {"decision": "approve"},
    ),
    Endpoint(
        "review claim POST, flagged item of A",
        lambda o: f"/duyet/{o['review_item_a'].pk}/nhan/",
        everyone(NOT_FOUND, reviewer_a=REDIRECT, anonymous=REDIRECT),
        method="post",
    ),
    Endpoint(
        "review release POST, flagged item of A",
        lambda o: f"/duyet/{o['review_item_a'].pk}/tra-lai-hang-cho/",
        everyone(NOT_FOUND, reviewer_a=REDIRECT, anonymous=REDIRECT),
        method="post",
    ),
    Endpoint(
        "review assign POST, flagged item of A",
        lambda o: f"/duyet/{o['review_item_a'].pk}/giao/",
        everyone(NOT_FOUND, reviewer_a=REDIRECT, anonymous=REDIRECT),
        method="post",
        data=lambda o: {"assignee": o["personas"].reviewer_a.pk},
    ),
    Endpoint(
        "review bulk decide POST (B's reviewer is refused item by item)",
        lambda o: "/duyet/hang-loat/",
        everyone(NOT_FOUND, reviewer_a=REDIRECT, reviewer_b=REDIRECT, anonymous=REDIRECT),
        method="post",
        data=lambda o: {"ids": [o["review_item_a"].pk], "decision": "approve"},
    ),
    Endpoint(
        "review policy page",
        lambda o: "/duyet/chinh-sach/",
        everyone(NOT_FOUND, officer_a=OK, anonymous=REDIRECT),
    ),
    Endpoint(
        "review policy POST, province A",
        lambda o: "/duyet/chinh-sach/",
        everyone(NOT_FOUND, officer_a=REDIRECT, anonymous=REDIRECT),
        method="post",
        data=lambda o: {"unit": o["country"].province_a.code, "review_time_limit_days": "5"},
    ),
    Endpoint("notices", lambda o: "/duyet/thong-bao/", everyone(OK, anonymous=REDIRECT)),
    Endpoint(
        "API review queue",
        lambda o: "/api/v1/review/queue/",
        everyone(NOT_FOUND, reviewer_a=OK, reviewer_b=OK, anonymous=UNAUTHENTICATED),
    ),
    Endpoint(
        "API review case, flagged item of A",
        lambda o: f"/api/v1/review/cases/{o['review_item_a'].pk}/",
        everyone(NOT_FOUND, reviewer_a=OK, anonymous=UNAUTHENTICATED),
    ),
    Endpoint(
        "API review decide, approve flagged item of A",
        lambda o: f"/api/v1/review/cases/{o['review_item_a'].pk}/decide/",
        everyone(NOT_FOUND, reviewer_a=OK, anonymous=UNAUTHENTICATED),
        method="post",
        data=lambda o: {"decision": "approve"},
    ),
    Endpoint(
        "API review claim, flagged item of A",
        lambda o: f"/api/v1/review/cases/{o['review_item_a'].pk}/claim/",
        everyone(NOT_FOUND, reviewer_a=OK, anonymous=UNAUTHENTICATED),
        method="post",
    ),
    # --- rankings, targets and reports (issue 6): national figures public, the rest scoped
    Endpoint("ranking leaderboard (public)", lambda o: "/xep-hang/", everyone(OK)),
    Endpoint(
        "ranking leaderboard CSV export (public)",
        lambda o: "/xep-hang/?category=province&format=csv",
        everyone(OK),
    ),
    Endpoint("ranking recognition (public)", lambda o: "/xep-hang/khen-thuong/", everyone(OK)),
    Endpoint(
        "ranking dashboard",
        lambda o: "/xep-hang/bang-dieu-khien/",
        everyone(NOT_FOUND, officer_a=OK, leader=OK, anonymous=REDIRECT),
    ),
    Endpoint(
        "ranking drill-down, province A",
        lambda o: f"/xep-hang/don-vi/{o['country'].province_a.code}/",
        everyone(NOT_FOUND, officer_a=OK, leader=OK, anonymous=REDIRECT),
    ),
    Endpoint(
        "ranking drill-down XLSX export, province A",
        lambda o: f"/xep-hang/don-vi/{o['country'].province_a.code}/?format=xlsx",
        everyone(NOT_FOUND, officer_a=OK, leader=OK, anonymous=REDIRECT),
    ),
    Endpoint(
        "ranking progress (lagging, leading), province A",
        lambda o: f"/xep-hang/don-vi/{o['country'].province_a.code}/tien-do/",
        everyone(NOT_FOUND, officer_a=OK, leader=OK, anonymous=REDIRECT),
    ),
    Endpoint(
        "ranking targets page, province A",
        lambda o: f"/xep-hang/don-vi/{o['country'].province_a.code}/chi-tieu/",
        everyone(NOT_FOUND, officer_a=OK, leader=OK, anonymous=REDIRECT),
    ),
    Endpoint(
        "ranking targets POST, set a target for a sub-unit of A",
        lambda o: f"/xep-hang/don-vi/{o['country'].province_a.code}/chi-tieu/",
        everyone(NOT_FOUND, officer_a=REDIRECT, leader=REDIRECT, anonymous=REDIRECT),
        method="post",
        data=lambda o: {
            "action": "set",
            "unit": o["country"].upper_a.code,
            "starts_on": "2026-01-01",
            "ends_on": "2026-12-31",
            "count": "120",
        },
    ),
    Endpoint(
        "ranking weekly reports, province A",
        lambda o: f"/xep-hang/don-vi/{o['country'].province_a.code}/bao-cao/",
        everyone(NOT_FOUND, officer_a=OK, leader=OK, anonymous=REDIRECT),
    ),
    Endpoint(
        "ranking weekly report XLSX download, province A",
        lambda o: f"/xep-hang/don-vi/{o['country'].province_a.code}/bao-cao/2026-01-05.xlsx",
        everyone(NOT_FOUND, officer_a=OK, leader=OK, anonymous=REDIRECT),
    ),
    Endpoint(
        "ranking weekly report regenerate POST, province A",
        lambda o: f"/xep-hang/don-vi/{o['country'].province_a.code}/bao-cao/lap-lai/",
        everyone(NOT_FOUND, officer_a=REDIRECT, leader=REDIRECT, anonymous=REDIRECT),
        method="post",
        data=lambda o: {"week": "2026-01-07"},
    ),
    Endpoint("API rankings (public)", lambda o: "/api/v1/rankings/", everyone(OK)),
    Endpoint("API rankings series (public)", lambda o: "/api/v1/rankings/series/", everyone(OK)),
    Endpoint(
        "API rankings recognition (public)",
        lambda o: "/api/v1/rankings/recognition/",
        everyone(OK),
    ),
    Endpoint(
        "API ranking drill-down, province A",
        lambda o: f"/api/v1/rankings/units/{o['country'].province_a.code}/",
        everyone(NOT_FOUND, officer_a=OK, leader=OK, anonymous=UNAUTHENTICATED),
    ),
    Endpoint(
        "API ranking progress, province A",
        lambda o: f"/api/v1/rankings/units/{o['country'].province_a.code}/progress/",
        everyone(NOT_FOUND, officer_a=OK, leader=OK, anonymous=UNAUTHENTICATED),
    ),
    # --- bulk import, export and the initiatives API (issue 3)
    Endpoint(
        "initiative import page",
        lambda o: "/sang-kien/nhap/",
        everyone(NOT_FOUND, officer_a=OK, anonymous=REDIRECT),
    ),
    Endpoint(
        "initiative import POST, one row for grassroots A",
        lambda o: "/sang-kien/nhap/",
        # Kept as a background job: the officer is sent to its page.
        everyone(NOT_FOUND, officer_a=REDIRECT, anonymous=REDIRECT),
        method="post",
        data=import_upload,
    ),
    Endpoint(
        "initiative import template",
        lambda o: "/sang-kien/nhap/mau.xlsx",
        everyone(NOT_FOUND, officer_a=OK, anonymous=REDIRECT),
    ),
    Endpoint(
        "initiative import job of officer A",
        lambda o: f"/sang-kien/nhap/tac-vu/{o['import_job_a'].pk}/",
        everyone(NOT_FOUND, officer_a=OK, anonymous=REDIRECT),
    ),
    Endpoint(
        "initiative import job progress of officer A",
        lambda o: f"/sang-kien/nhap/tac-vu/{o['import_job_a'].pk}/tien-do/",
        everyone(NOT_FOUND, officer_a=OK, anonymous=REDIRECT),
    ),
    Endpoint(
        "initiative export, province A",
        lambda o: f"/sang-kien/nhap/xuat/?unit={o['country'].province_a.code}",
        everyone(OK, worker_a=NOT_FOUND, reviewer_b=NOT_FOUND, anonymous=REDIRECT),
    ),
    Endpoint(
        "API initiative list",
        lambda o: "/api/v1/initiatives/",
        everyone(OK, anonymous=UNAUTHENTICATED),
    ),
    Endpoint(
        "API initiative create (no authors: refused)",
        lambda o: "/api/v1/initiatives/",
        everyone(400, anonymous=UNAUTHENTICATED),
        method="post",
        data=lambda o: {
            "title": "Qua API",
            "unit": o["country"].grassroots_a.code,
            "participant_group": "enterprise",
        },
    ),
    Endpoint(
        "API initiative detail, checking of A",
        lambda o: f"/api/v1/initiatives/{o['initiative_checking_a'].pk}/",
        everyone(OK, reviewer_b=NOT_FOUND, anonymous=UNAUTHENTICATED),
    ),
    Endpoint(
        "API initiative detail, worker A's draft",
        lambda o: f"/api/v1/initiatives/{o['initiative_draft_a'].pk}/",
        everyone(NOT_FOUND, worker_a=OK, officer_a=OK, anonymous=UNAUTHENTICATED),
    ),
    Endpoint(
        "API initiative history, checking of A",
        lambda o: f"/api/v1/initiatives/{o['initiative_checking_a'].pk}/history/",
        everyone(OK, reviewer_b=NOT_FOUND, anonymous=UNAUTHENTICATED),
    ),
    Endpoint(
        "API initiative submit, worker A's draft",
        lambda o: f"/api/v1/initiatives/{o['initiative_draft_a'].pk}/submit/",
        everyone(NOT_FOUND, worker_a=OK, officer_a=OK, anonymous=UNAUTHENTICATED),
        method="post",
    ),
    Endpoint(
        "API initiative submit, already checking",
        lambda o: f"/api/v1/initiatives/{o['initiative_checking_a'].pk}/submit/",
        everyone(409, reviewer_b=NOT_FOUND, anonymous=UNAUTHENTICATED),
        method="post",
    ),
    Endpoint(
        "API initiative attachments, worker A's draft",
        lambda o: f"/api/v1/initiatives/{o['initiative_draft_a'].pk}/attachments/",
        everyone(NOT_FOUND, worker_a=OK, officer_a=OK, anonymous=UNAUTHENTICATED),
    ),
    Endpoint(
        "API initiative attachments, confidential of A",
        lambda o: f"/api/v1/initiatives/{o['initiative_secret_a'].pk}/attachments/",
        everyone(NOT_FOUND, officer_a=OK, reviewer_a=OK, leader=DENIED, anonymous=UNAUTHENTICATED),
    ),
    # --- registration, accounts and people (issue 11)
    Endpoint(
        "registration page (signed-in people go on to the form)",
        lambda o: f"/tai-khoan/dang-ky/?don-vi={o['country'].grassroots_a.code}",
        everyone(REDIRECT, anonymous=OK),
    ),
    Endpoint(
        "registration union search (names of active grassroots unions only)",
        lambda o: "/tai-khoan/dang-ky/don-vi/?tim-don-vi=thuy+san",
        everyone(OK),
    ),
    Endpoint(
        "registration union pick",
        lambda o: f"/tai-khoan/dang-ky/don-vi/chon/?code={o['country'].grassroots_a.code}",
        everyone(OK),
    ),
    Endpoint(
        "profile completion (only after a first social sign-in)",
        lambda o: "/tai-khoan/hoan-tat/",
        everyone(REDIRECT),
    ),
    Endpoint(
        "invitation link of grassroots A",
        lambda o: f"/tai-khoan/loi-moi/{o['invitation_a']}/",
        everyone(OK, anonymous=REDIRECT),
    ),
    Endpoint("my account", lambda o: "/tai-khoan/", everyone(OK, anonymous=REDIRECT)),
    Endpoint(
        "ask to join a union (a member already belongs to one)",
        lambda o: "/tai-khoan/vao-cong-doan/",
        everyone(OK, worker_a=REDIRECT, anonymous=REDIRECT),
    ),
    Endpoint(
        "my data export",
        lambda o: "/tai-khoan/du-lieu-cua-toi.json",
        everyone(OK, anonymous=REDIRECT),
    ),
    Endpoint(
        "end a session POST, worker A's session",
        lambda o: f"/tai-khoan/phien/{o['worker_a_session'].pk}/ket-thuc/",
        everyone(NOT_FOUND, worker_a=REDIRECT, anonymous=REDIRECT),
        method="post",
    ),
    Endpoint(
        "sign in with Google POST, no credentials configured: not there",
        lambda o: "/tai-khoan/mxh/google/login/",
        everyone(NOT_FOUND),
        method="post",
    ),
    Endpoint("my API tokens", lambda o: "/tai-khoan/khoa-api/", everyone(OK, anonymous=REDIRECT)),
    Endpoint(
        "create an API token POST",
        lambda o: "/tai-khoan/khoa-api/",
        everyone(REDIRECT),
        method="post",
        data=lambda o: {"name": "Bảng tính", "days": "30"},
    ),
    Endpoint(
        "revoke an API token POST, worker A's token",
        lambda o: f"/tai-khoan/khoa-api/{o['worker_a_token'].pk}/thu-hoi/",
        everyone(NOT_FOUND, worker_a=REDIRECT, anonymous=REDIRECT),
        method="post",
    ),
    Endpoint(
        "member list",
        lambda o: "/doan-vien/",
        everyone(NOT_FOUND, officer_a=OK, anonymous=REDIRECT),
    ),
    Endpoint(
        "member list of grassroots A",
        lambda o: f"/doan-vien/?don_vi={o['country'].grassroots_a.code}",
        everyone(NOT_FOUND, officer_a=OK, anonymous=REDIRECT),
    ),
    Endpoint(
        "pending members",
        lambda o: "/doan-vien/cho-xac-nhan/",
        everyone(NOT_FOUND, officer_a=OK, anonymous=REDIRECT),
    ),
    Endpoint(
        "confirm POST, pending member of A (a worker may not confirm)",
        lambda o: "/doan-vien/cho-xac-nhan/quyet-dinh/",
        everyone(NOT_FOUND, officer_a=REDIRECT, anonymous=REDIRECT),
        method="post",
        data=lambda o: {"membership": [o["pending_membership_a"].pk], "decision": "confirm"},
    ),
    Endpoint(
        "invitation link page",
        lambda o: f"/doan-vien/moi-tham-gia/?unit={o['country'].grassroots_a.code}",
        everyone(NOT_FOUND, officer_a=OK, anonymous=REDIRECT),
    ),
    Endpoint(
        "member import page",
        lambda o: "/doan-vien/nhap/",
        everyone(NOT_FOUND, officer_a=OK, anonymous=REDIRECT),
    ),
    Endpoint(
        "person page, worker A",
        lambda o: f"/doan-vien/{o['personas'].worker_a.pk}/",
        everyone(NOT_FOUND, officer_a=OK, anonymous=REDIRECT),
    ),
    Endpoint(
        "grant POST, reviewer at grassroots A to worker A",
        lambda o: f"/doan-vien/{o['personas'].worker_a.pk}/vai-tro/giao/",
        everyone(NOT_FOUND, officer_a=REDIRECT, anonymous=REDIRECT),
        method="post",
        data=lambda o: {"role": "reviewer", "unit": o["country"].grassroots_a.code},
    ),
    Endpoint(
        "grant POST, a role in province B (officer of A: 404)",
        lambda o: f"/doan-vien/{o['personas'].worker_a.pk}/vai-tro/giao/",
        everyone(NOT_FOUND, anonymous=REDIRECT),
        method="post",
        data=lambda o: {"role": "reviewer", "unit": o["country"].province_b.code},
    ),
    Endpoint(
        "person page, worker B (nobody here is an officer of B)",
        lambda o: f"/doan-vien/{o['personas'].worker_b.pk}/",
        everyone(NOT_FOUND, anonymous=REDIRECT),
    ),
    Endpoint(
        "grant POST, reviewer at grassroots B to worker B (officer of A: 404)",
        lambda o: f"/doan-vien/{o['personas'].worker_b.pk}/vai-tro/giao/",
        everyone(NOT_FOUND, anonymous=REDIRECT),
        method="post",
        data=lambda o: {"role": "reviewer", "unit": o["country"].grassroots_b.code},
    ),
    Endpoint(
        "withdraw POST, worker A's member role",
        lambda o: (
            f"/doan-vien/{o['personas'].worker_a.pk}/vai-tro/{o['worker_a_member_role'].pk}/thu-hoi/"
        ),
        everyone(NOT_FOUND, officer_a=REDIRECT, anonymous=REDIRECT),
        method="post",
    ),
    Endpoint(
        "move POST, worker A to grassroots A2",
        lambda o: f"/doan-vien/{o['personas'].worker_a.pk}/chuyen/",
        everyone(NOT_FOUND, officer_a=REDIRECT, anonymous=REDIRECT),
        method="post",
        data=lambda o: {"unit": o["country"].grassroots_a2.code, "moved_on": "2026-01-01"},
    ),
]


@pytest.mark.parametrize("persona", PERSONA_NAMES)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_persona_matrix(endpoint: Endpoint, persona: str, objects, client_for):
    client = client_for(objects["personas"].by_name(persona))
    send = getattr(client, endpoint.method)
    response = send(endpoint.url(objects), endpoint.data(objects))
    assert response.status_code == endpoint.expect[persona], (
        f"{endpoint.name} as {persona}: got {response.status_code}, "
        f"expected {endpoint.expect[persona]}"
    )


def test_api_unit_list_shows_only_the_callers_subtree(objects, client_for):
    country, personas = objects["country"], objects["personas"]
    codes = {
        unit["code"]
        for unit in client_for(personas.reviewer_b).get("/api/v1/units/").json()["results"]
    }
    assert codes == {country.province_b.code, country.grassroots_b.code}
    assert client_for(personas.worker_a).get("/api/v1/units/").json()["results"] == []


def test_an_officer_of_a_grants_nothing_in_b(objects, client_for):
    from accounts.models import RoleAssignment, RoleGrantLog

    country, personas = objects["country"], objects["personas"]
    officer = client_for(personas.officer_a)
    for person, unit in (
        (personas.worker_a, country.province_b),
        (personas.worker_b, country.grassroots_b),
        (personas.worker_b, country.grassroots_a),
    ):
        response = officer.post(
            f"/doan-vien/{person.pk}/vai-tro/giao/", {"role": "reviewer", "unit": unit.code}
        )
        assert response.status_code == NOT_FOUND, (person, unit)
    assert not RoleAssignment.objects.filter(
        user__in=[personas.worker_a, personas.worker_b], role="reviewer"
    ).exists()
    assert not RoleGrantLog.objects.filter(actor=personas.officer_a).exists()


def test_cross_province_write_is_refused_and_changes_nothing(objects, client_for):
    country, personas = objects["country"], objects["personas"]
    response = client_for(personas.reviewer_b).post(
        f"/don-vi/{country.grassroots_a.code}/sap-xep/",
        {"action": "rename", "new_name": "Bị đổi trộm", "effective_date": "2026-01-01"},
    )
    assert response.status_code == NOT_FOUND
    country.grassroots_a.refresh_from_db()
    assert country.grassroots_a.name != "Bị đổi trộm"
