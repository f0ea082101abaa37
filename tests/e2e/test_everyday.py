"""Everyday rough edges (issue 14), as each kind of user meets them in the browser.

Unit pages reached from the menu; a notice opening its initiative and the unread
badge; the check result appearing without a reload; a reviewer opening the cited
source and reading what the author changed after a return.
"""

from __future__ import annotations

import pytest

from accounts.demo import DEMO_PASSWORD
from accounts.models import User
from initiatives.models import Initiative, Status
from review import services as review_services
from tests.e2e.conftest import log_in, screenshot
from tests.e2e.test_review import LONG_SOURCE_TEXT, _initiative, flagged  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_officer_reaches_unit_pages_from_the_menu_and_back_after_a_reorganisation(
    live_server,
    desktop_page,
    flagged,  # noqa: F811
):
    page = desktop_page
    log_in(page, live_server, "canbo.cantho@demo.vn", DEMO_PASSWORD)
    page.wait_for_url(f"{live_server.url}/")
    page.locator(".nav-inline").get_by_role("link", name="Đơn vị", exact=True).click()
    page.wait_for_url(f"{live_server.url}/don-vi/")
    page.locator("table").get_by_role("link").nth(1).click()
    page.wait_for_url(f"{live_server.url}/don-vi/LDLD92-U01/")
    assert page.locator("h1").inner_text()
    assert "/api/" not in page.url
    page.get_by_role("button", name="Sắp xếp tổ chức").click()
    page.get_by_label("Thao tác").select_option("rename")
    page.get_by_label("Tên mới").fill("Công đoàn KCN Trà Nóc mới")
    page.get_by_label("Ngày hiệu lực").fill("2025-07-01")
    page.get_by_role("button", name="Ghi nhận").click()
    page.wait_for_url(f"{live_server.url}/don-vi/LDLD92-U01/")
    assert page.locator("h1").inner_text() == "Công đoàn KCN Trà Nóc mới"
    screenshot(page, "unit-page-desktop")


def test_a_worker_has_no_empty_units_menu(live_server, phone_page, flagged):  # noqa: F811
    page = phone_page
    log_in(page, live_server, "congnhan@demo.vn", DEMO_PASSWORD)
    page.wait_for_url(f"{live_server.url}/")
    page.locator(".nav-menu summary").click()
    menu = page.locator(".nav-menu")
    assert menu.get_by_role("link", name="Sáng kiến của tôi").is_visible()
    assert menu.get_by_role("link", name="Đơn vị", exact=True).count() == 0


def test_a_notice_opens_its_initiative_and_the_header_counts_unread(
    live_server,
    phone_page,
    flagged,  # noqa: F811
):
    item, _hanoi = flagged
    reviewer = User.objects.get(email="duyet.cantho@demo.vn")
    review_services.review_decide(
        initiative=item, reviewer=reviewer, decision="approve", reason="Trích dẫn hợp lệ."
    )
    page = phone_page
    log_in(page, live_server, "congnhan@demo.vn", DEMO_PASSWORD)
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_test_id("unread-count").inner_text().startswith("1")
    screenshot(page, "unread-badge-phone")
    page.get_by_test_id("notices-link").click()
    page.get_by_test_id("notice").first.get_by_role("button", name="Mở").click()
    page.wait_for_url(f"{live_server.url}/sang-kien/{item.pk}/")
    assert page.locator("h1").inner_text() == item.title
    assert page.get_by_test_id("unread-count").count() == 0


def test_the_check_result_appears_without_a_reload_and_polling_stops(
    live_server,
    desktop_page,
    flagged,  # noqa: F811
):
    item, _hanoi = flagged
    Initiative.objects.filter(pk=item.pk).update(status=Status.CHECKING)
    page = desktop_page
    log_in(page, live_server, "congnhan@demo.vn", DEMO_PASSWORD)
    page.wait_for_url(f"{live_server.url}/")
    polls = []
    page.on("request", lambda r: polls.append(r.url) if "/kiem-tra/" in r.url else None)
    page.goto(f"{live_server.url}/sang-kien/{item.pk}/")
    assert page.get_by_test_id("checking-note").is_visible()
    page.wait_for_timeout(3_500)
    assert polls, "the page should ask for the check's result"
    Initiative.objects.filter(pk=item.pk).update(status=Status.VALID)
    page.get_by_test_id("check-result").wait_for(timeout=10_000)
    assert "Hợp lệ" in page.get_by_test_id("check-result").inner_text()
    asked = len(polls)
    page.wait_for_timeout(4_000)
    assert len(polls) == asked, "polling goes on after the check is done"
    screenshot(page, "check-result-desktop")


def test_a_reviewer_opens_the_source_and_reads_the_authors_changes(
    live_server,
    desktop_page,
    flagged,  # noqa: F811
):
    item, _hanoi = flagged
    reviewer = User.objects.get(email="duyet.cantho@demo.vn")
    review_services.review_decide(
        initiative=item, reviewer=reviewer, decision="return", reason="Trích nguồn."
    )
    item.refresh_from_db()
    item.improvements = "Cảnh báo tự động qua tin nhắn, có trích nguồn tài liệu hãng."
    item.save()
    item.status = Status.FLAGGED
    item.save()

    page = desktop_page
    log_in(page, live_server, "duyet.cantho@demo.vn", DEMO_PASSWORD)
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/duyet/{item.pk}/")
    changes = page.get_by_test_id("changes")
    assert "có trích nguồn tài liệu hãng." in changes.locator("ins").first.inner_text()
    screenshot(page, "review-changes-desktop")
    page.get_by_test_id("open-source").first.click()
    page.wait_for_url(f"{live_server.url}/duyet/{item.pk}/nguon/**")
    assert page.get_by_test_id("source-title").inner_text() == (
        "Cảnh báo nhiệt độ kho lạnh qua tin nhắn"
    )
    assert "Tiết kiệm 300 giờ công" in page.get_by_test_id("source-description").inner_text()
    screenshot(page, "review-source-desktop")


def test_the_library_finds_the_readmes_example_and_authors(live_server, phone_page):
    import io

    from accounts.demo import seed_demo_country
    from initiatives.demo import seed
    from rankings.demo import seed_rankings_demo

    seed_demo_country()
    seed(io.StringIO())
    seed_rankings_demo()
    page = phone_page
    page.goto(f"{live_server.url}/sang-kien/thu-vien/")
    page.get_by_role("searchbox", name="Tìm sáng kiến").fill("sang kien cai tien")
    page.get_by_role("button", name="Tìm").click()
    assert page.get_by_test_id("library").locator("li h2").count() > 0
    page.get_by_role("searchbox", name="Tìm sáng kiến").fill("cai tien day chuyen")
    page.get_by_role("button", name="Tìm").click()
    cards = page.get_by_test_id("library").locator("li h2")
    assert cards.first.inner_text().startswith("Cải tiến dây chuyền")
    screenshot(page, "library-search-phone")
    author = (
        Initiative.objects.filter(status="approved", is_confidential=False)
        .exclude(authors=None)
        .first()
        .authors.first()
        .full_name
    )
    page.get_by_role("searchbox", name="Tìm sáng kiến").fill(author)
    page.get_by_role("button", name="Tìm").click()
    assert page.get_by_test_id("library").locator("li h2").count() > 0


def test_a_refused_submit_links_errors_to_fields_and_keeps_the_drafts_address(
    live_server,
    phone_page,
    flagged,  # noqa: F811
):
    page = phone_page
    log_in(page, live_server, "congnhan@demo.vn", DEMO_PASSWORD)
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/sang-kien/moi/")
    page.locator('[name="title"]').fill("Sáng kiến chưa đủ mục")
    page.locator('[name="participant_group"]').select_option("enterprise")
    next_button = page.get_by_role("button", name="Tiếp")
    next_button.click()
    # A new step: the focus is on its heading, not left on the button or the page.
    assert page.evaluate("document.activeElement.tagName") == "LEGEND"
    assert "Bước 2/5" in page.evaluate("document.activeElement.textContent")
    next_button.click()
    page.locator('[name="first_applied_on"]').fill("2025-03-01")
    next_button.click()
    next_button.click()
    review = page.locator("[data-review]")
    assert "01/03/2025" in review.inner_text() and "2025-03-01" not in review.inner_text()
    page.get_by_role("button", name="Nộp sáng kiến").click()

    summary = page.get_by_test_id("error-summary")
    summary.wait_for()
    draft = Initiative.objects.get(title="Sáng kiến chưa đủ mục")
    # The draft was saved: the address says so (a reload opens it, not an empty form).
    assert page.url.startswith(f"{live_server.url}/sang-kien/{draft.pk}/sua/")
    assert page.evaluate("document.activeElement.dataset.testid") == "error-summary"
    links = summary.locator("a[data-error-link]")
    assert links.count() >= 3
    # Each field in error names its message: aria-describedby holds the message's real id.
    for field in page.locator("[aria-invalid=true]").all():
        described = field.get_attribute("aria-describedby").split()
        error_id = next(i for i in described if i.endswith("_error"))
        assert page.locator(f"#{error_id}").inner_text().strip()
    screenshot(page, "form-error-summary-phone")
    # A link to a field of another step opens that step and puts the cursor in it.
    link = summary.locator('a[href="#id_problem"]')
    link.click()
    assert page.evaluate("document.activeElement.id") == "id_problem"
    assert page.locator("#id_problem").is_visible()


def test_a_reviewer_turns_single_key_shortcuts_off_and_it_is_remembered(
    live_server,
    desktop_page,
    flagged,  # noqa: F811
):
    item, _hanoi = flagged
    page = desktop_page
    log_in(page, live_server, "duyet.cantho@demo.vn", DEMO_PASSWORD)
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/duyet/{item.pk}/")
    page.locator("html[data-review-ready]").wait_for(state="attached")
    toggle = page.get_by_role("switch", name="Dùng phím tắt một phím")
    assert toggle.is_checked()
    toggle.uncheck()
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("r")
    assert not page.locator("#decide-form input[value=return]").is_checked()
    page.goto(f"{live_server.url}/duyet/")
    page.locator("html[data-review-ready]").wait_for(state="attached")
    assert not page.get_by_role("switch", name="Dùng phím tắt một phím").is_checked()
    page.keyboard.press("j")
    assert page.locator("tr.is-current").count() == 0
    page.get_by_role("switch", name="Dùng phím tắt một phím").check()
    page.locator("h1").click()  # out of the switch: keys typed in a field are not shortcuts
    page.keyboard.press("j")
    assert page.locator("tr.is-current").count() == 1
    screenshot(page, "review-queue-shortcuts-desktop")


def test_the_language_button_switches_and_the_phone_menu_is_vietnamese(
    live_server,
    phone_page,
    flagged,  # noqa: F811
):
    page = phone_page
    log_in(page, live_server, "congnhan@demo.vn", DEMO_PASSWORD)
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator(".nav-menu summary").inner_text() == "Danh mục"
    screenshot(page, "home-phone")
    page.get_by_label("Ngôn ngữ").select_option("en")
    assert page.url == f"{live_server.url}/", "choosing alone must not submit"
    page.get_by_role("button", name="Đổi ngôn ngữ").click()
    page.locator("html[lang=en]").wait_for(state="attached")
    assert page.locator(".nav-menu summary").inner_text() == "Menu"
    assert User.objects.get(email="congnhan@demo.vn").language == "en"


def test_the_api_docs_load_nothing_from_another_host(live_server, desktop_page):
    page = desktop_page
    elsewhere = []
    page.on(
        "response",
        lambda r: (
            elsewhere.append(r.url) if not r.url.startswith((live_server.url, "blob:")) else 0
        ),
    )
    page.goto(f"{live_server.url}/api/redoc/")
    page.get_by_text("Cổng Sáng kiến API").first.wait_for()
    page.wait_for_timeout(1_000)
    assert elsewhere == []


def test_screenshots_of_the_changed_pages_at_both_sizes(live_server, browser, flagged):  # noqa: F811
    """The pages this issue changed, at 1366×900 and 390×844, for a person to look at."""
    item, _hanoi = flagged
    reviewer = User.objects.get(email="duyet.cantho@demo.vn")
    review_services.review_decide(
        initiative=item, reviewer=reviewer, decision="return", reason="Trích nguồn."
    )
    item.refresh_from_db()
    item.improvements = "Cảnh báo tự động qua tin nhắn, có trích nguồn tài liệu hãng."
    item.save()
    item.status = Status.FLAGGED
    item.save()
    source_pk = item.similarity_checks.first().matches.first().source_initiative_id
    pages = {
        "duyet.cantho@demo.vn": {
            "review-case": f"/duyet/{item.pk}/",
            "review-source": f"/duyet/{item.pk}/nguon/{source_pk}/",
            "review-queue": "/duyet/",
        },
        "canbo.cantho@demo.vn": {
            "unit-list": "/don-vi/",
            "unit-page": "/don-vi/LDLD92/",
            "leaderboard": "/xep-hang/?period=year&year=2025&measure=benefit",
            "dashboard": "/xep-hang/bang-dieu-khien/",
        },
        "congnhan@demo.vn": {
            "home": "/",
            "notices": "/duyet/thong-bao/",
            "library": "/sang-kien/thu-vien/?q=sang+kien+cai+tien",
        },
    }
    sizes = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
    for email, paths in pages.items():
        context = browser.new_context(viewport=sizes["desktop"], locale="vi-VN")
        page = context.new_page()
        log_in(page, live_server, email, DEMO_PASSWORD)
        page.wait_for_url(f"{live_server.url}/")
        for size, viewport in sizes.items():
            page.set_viewport_size(viewport)
            for name, path in paths.items():
                assert page.goto(f"{live_server.url}{path}").status == 200, path
                screenshot(page, f"i14-{name}-{size}")
        context.close()
