"""From the QR poster to a confirmed member's first draft, on a phone (390×844)."""

from __future__ import annotations

import pytest

from accounts.models import Membership, User
from initiatives.models import Initiative, Status
from tests.accounts.people_helpers import PASSWORD, seafood_union
from tests.e2e.conftest import log_in, screenshot
from tests.initiatives.submission_helpers import make_field

pytestmark = pytest.mark.django_db(transaction=True)
OFFICER_PASSWORD = "matkhau-An-toan-123"  # tests.factories.UserFactory


def test_qr_link_to_a_confirmed_members_first_draft_on_a_phone(
    live_server, phone_page, desktop_page, country, personas, settings
):
    # The poster prints the portal's public address (SITE_URL): here, the live server.
    settings.SITE_URL = live_server.url
    union = seafood_union(country)
    make_field()
    # The officer prints the union's poster; its link is what the QR code holds.
    desktop = desktop_page
    log_in(desktop, live_server, personas.officer_a.email, OFFICER_PASSWORD)
    desktop.wait_for_url(f"{live_server.url}/")
    desktop.goto(f"{live_server.url}/sang-kien/ap-phich/{union.code}/")
    qr_link = desktop.locator(".poster .url").inner_text().strip()
    assert qr_link == f"{live_server.url}/tai-khoan/dang-ky/?don-vi={union.code}"

    # A worker without an account scans it: the union is already chosen.
    page = phone_page
    page.goto(qr_link)
    assert union.name in page.get_by_test_id("unit-chosen").inner_text()
    # Changing it works by typing the name without accents (htmx search), then picking.
    page.get_by_role("button", name="Chọn đơn vị khác").click()
    # Typed key by key, as a person would: htmx searches once typing pauses.
    with page.expect_response(lambda r: "/tai-khoan/dang-ky/don-vi/?" in r.url):
        page.locator("#unit-search").press_sequentially(
            "cong doan co so cong ty thuy san", delay=30
        )
    page.get_by_test_id("unit-option").filter(has_text="Sao Mai").click()
    assert union.name in page.get_by_test_id("unit-chosen").inner_text()
    page.get_by_label("Họ và tên").fill("Trần Thị Thu")
    page.get_by_label("Ngày sinh").fill("1992-05-17")
    page.get_by_label("Số điện thoại hoặc email").fill("+84 912 000 111")
    page.locator('[name="password1"]').fill(PASSWORD)
    page.locator('[name="password2"]').fill(PASSWORD)
    screenshot(page, "registration-phone")
    page.get_by_role("button", name="Đăng ký", exact=True).click()
    page.wait_for_url(f"{live_server.url}/sang-kien/moi/?don_vi={union.code}")
    assert page.get_by_test_id("membership-pending").is_visible()
    member = User.objects.get(phone="0912000111")

    # The officer confirms the new member from the pending list.
    desktop.goto(f"{live_server.url}/doan-vien/cho-xac-nhan/")
    row = desktop.get_by_test_id("pending-row").filter(has_text="Trần Thị Thu")
    row.get_by_test_id("confirm-one").click()
    desktop.wait_for_url(f"{live_server.url}/doan-vien/cho-xac-nhan/")
    assert Membership.objects.get(user=member).status == Membership.Status.CONFIRMED
    screenshot(desktop, "pending-confirmed-desktop")

    # Back on the phone: no waiting notice any more; the first draft is saved.
    page.reload()
    assert page.get_by_test_id("membership-pending").count() == 0
    assert page.locator('[name="unit"] option:checked').inner_text() == union.name
    page.locator('[name="title"]').fill("Khay chia cỡ tôm bằng khe hở tăng dần")
    page.locator('[name="field"]').select_option(label="Chế biến thủy sản")
    page.locator('[name="participant_group"]').select_option("enterprise")
    page.get_by_role("button", name="Lưu nháp").first.click()
    page.wait_for_url("**/sang-kien/*/sua/**")
    draft = Initiative.objects.get(owner=member)
    assert (draft.status, draft.unit, draft.title) == (
        Status.DRAFT,
        union,
        "Khay chia cỡ tôm bằng khe hở tăng dần",
    )
    screenshot(page, "first-draft-phone")
