"""A person makes an API key on a phone, a program uses it, the person revokes it."""

from __future__ import annotations

import pytest
import requests

from tests.e2e.conftest import PHONE, log_in, screenshot
from tests.e2e.test_accessibility import SIZES, run_axe

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "matkhau-An-toan-123"  # tests.factories.UserFactory


@pytest.fixture
def phone_page_for_axe(browser):
    """A phone, letting axe's script in (as the accessibility sweep does)."""
    context = browser.new_context(
        viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True, bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_a_key_made_on_a_phone_works_once_shown_and_stops_when_revoked(
    live_server, phone_page_for_axe, personas
):
    page = phone_page_for_axe
    log_in(page, live_server, personas.reviewer_b.email, PASSWORD)
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/tai-khoan/")
    page.get_by_test_id("api-tokens-link").click()
    page.wait_for_url(f"{live_server.url}/tai-khoan/khoa-api/")
    assert not run_axe(page)

    page.get_by_label("Tên khoá").fill("Báo cáo Hà Nội")
    page.get_by_label("Hết hạn sau").select_option("30")
    page.get_by_role("button", name="Tạo khoá", exact=True).click()
    page.wait_for_url(f"{live_server.url}/tai-khoan/khoa-api/")
    key = page.locator("#new-token-key").input_value()
    assert len(key) == 40
    screenshot(page, "api-token-created-phone")
    assert not run_axe(page)
    # The key wraps and the list scrolls in its own box: nothing of the page's own
    # content is wider than the phone.
    for part in ("new-token", "token-form", "tokens-region"):
        box = page.get_by_test_id(part).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], part

    api = f"{live_server.url}/api/v1/units/"
    headers = {"Authorization": f"Token {key}"}
    answer = requests.get(api, headers=headers, timeout=10)
    assert answer.status_code == 200
    assert {u["code"] for u in answer.json()["results"]} == {"LDLD01", "LDLD01-G01"}

    page.reload()
    assert page.get_by_test_id("new-token").count() == 0
    assert key not in page.content()
    row = page.get_by_test_id("tokens").locator("tbody tr").filter(has_text="Báo cáo Hà Nội")
    row.get_by_role("button", name="Thu hồi").click()
    page.wait_for_url(f"{live_server.url}/tai-khoan/khoa-api/")
    assert page.get_by_test_id("tokens").locator("tbody tr").filter(has_text="Báo cáo").count() == 0
    assert requests.get(api, headers=headers, timeout=10).status_code == 403

    page.set_viewport_size(SIZES["desktop"])
    screenshot(page, "api-tokens-desktop")
