import pytest
from django.test import override_settings

from accounts.demo import DEMO_PASSWORD, seed_demo_country
from tests.e2e.conftest import log_in, screenshot


@pytest.mark.django_db(transaction=True)
@override_settings(DEBUG=True)
def test_demo_worker_logs_in_on_a_phone_and_sees_their_unit(live_server, phone_page):
    seed_demo_country()
    page = phone_page
    log_in(page, live_server, "congnhan@demo.vn", DEMO_PASSWORD)
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("html").get_attribute("lang") == "vi"
    unit = page.get_by_test_id("viewer-unit")
    assert unit.inner_text() == "Công đoàn Công ty CP Thủy sản Bình An"
    assert "Xin chào, Nguyễn Văn Tâm" in page.get_by_test_id("home-unit").inner_text()
    screenshot(page, "home-phone")


@pytest.mark.django_db(transaction=True)
def test_wrong_password_shows_a_vietnamese_error_and_keeps_the_login(live_server, desktop_page):
    seed_demo_country()
    page = desktop_page
    log_in(page, live_server, "0901234567", "sai-mat-khau")
    assert "mật khẩu không đúng" in page.locator(".form-errors").inner_text()
    assert page.get_by_label("Email hoặc số điện thoại").input_value() == "0901234567"
    log_in(page, live_server, "0901 234 567", DEMO_PASSWORD)
    page.wait_for_url(f"{live_server.url}/")
    screenshot(page, "home-desktop")
