"""Browser test of the web-copy check (issue 10): a worker submits an initiative that
contains a paragraph of a page served on 127.0.0.1; the real Celery worker runs the
archive check, then the web check on its own queue (asking the session's local
SearXNG-compatible search server, downloading the page over HTTP); the reviewer sees
the page's address as a link and the passages side by side."""

import pytest

from accounts.demo import DEMO_PASSWORD, seed_demo_country
from dedup.models import SimilarityCheck
from initiatives.demo import seed_fields
from initiatives.models import Initiative, Status
from tests.e2e.conftest import log_in, screenshot, wait_until, web_check_env

pytestmark = pytest.mark.django_db(transaction=True)

COPIED = (
    "Để giảm thất thoát nhiệt ở kho lạnh, tổ bảo trì đã thay toàn bộ rèm nhựa cửa kho bằng cửa "
    "cuốn tốc độ cao đóng mở theo cảm biến hồng ngoại, đồng thời lắp đồng hồ đo điện riêng cho "
    "từng dàn lạnh để theo dõi mức tiêu thụ hằng ngày. Nhờ đó nhiệt độ trong kho ổn định hơn, "
    "hàng bảo quản không còn bị đọng sương và lượng điện tiêu thụ của khu kho giảm gần mười "
    "lăm phần trăm so với cùng kỳ năm trước."
)
PAGE_TITLE = "Sáng kiến tiết kiệm điện kho lạnh"


@pytest.fixture
def served_page(session_web, settings):
    for name, value in web_check_env(session_web).items():
        setattr(settings, name, value)
    url = session_web.add_article(
        "/sang-kien-mau/kho-lanh",
        PAGE_TITLE,
        [
            "Trang giới thiệu các sáng kiến tiêu biểu của ngành chế biến thủy sản.",
            COPIED,
            "Liên hệ ban biên tập để nhận bản vẽ chi tiết.",
        ],
    )
    yield url
    session_web.pages.clear()


def test_reviewer_sees_the_web_page_a_paragraph_was_copied_from(
    live_server, phone_page, desktop_page, served_page
):
    seed_demo_country()
    seed_fields()
    page = phone_page
    log_in(page, live_server, "congnhan@demo.vn", DEMO_PASSWORD)
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/sang-kien/moi/")
    page.locator('[name="title"]').fill("Cửa cuốn tự động cho kho thành phẩm")
    page.locator('[name="field"]').select_option(label="Chế biến thủy sản, thực phẩm")
    page.locator('[name="participant_group"]').select_option("enterprise")
    page.get_by_role("button", name="Tiếp").click()
    page.locator('[name="problem"]').fill(
        "Cửa kho thành phẩm mở liên tục khi xe nâng ra vào, hơi lạnh thoát ra ngoài."
    )
    page.locator('[name="description"]').fill(
        "Kho thành phẩm của xí nghiệp có hai cửa xuất hàng. " + COPIED
    )
    page.locator('[name="improvements"]').fill("Cửa đóng mở tự động theo cảm biến.")
    page.locator('[name="application_scope"]').fill("Các kho lạnh của công ty.")
    page.get_by_role("button", name="Tiếp").click()
    page.locator('[name="first_applied_on"]').fill("2025-06-01")
    page.locator('[name="summary"]').fill("Giảm điện năng tiêu thụ của kho.")
    page.locator('[name="benefit_vnd"]').fill("150000000")
    page.locator('[name="benefit_text"]').fill("Tiết kiệm tiền điện hằng tháng.")
    page.get_by_role("button", name="Tiếp").click()
    page.get_by_role("button", name="Tiếp").click()
    page.get_by_role("button", name="Nộp sáng kiến").click()
    page.wait_for_selector('[data-testid="timeline"]')

    initiative = Initiative.objects.get()

    def decided():
        initiative.refresh_from_db()
        return initiative.status not in {Status.SUBMITTED, Status.CHECKING} and initiative.status

    assert wait_until("the archive and web checks", decided, timeout=120) == Status.FLAGGED
    check = initiative.similarity_checks.get()
    assert check.web_state == SimilarityCheck.WebState.DONE
    assert 1 <= check.web_queries <= 10
    # The archive passed it; it waited in checking for the web half and moved once.
    assert check.settings_used["archive_source_count"] == 0
    moves = list(
        initiative.events.order_by("created_at", "pk").values_list("from_status", "to_status")
    )
    assert moves[-1] == (Status.CHECKING, Status.FLAGGED)
    assert (Status.CHECKING, Status.VALID) not in moves

    reviewer = desktop_page
    log_in(reviewer, live_server, "duyet.cantho@demo.vn", DEMO_PASSWORD)
    reviewer.wait_for_url(f"{live_server.url}/")
    reviewer.goto(f"{live_server.url}/duyet/?kind=web")
    row = reviewer.get_by_test_id("queue-row").filter(has_text="Cửa cuốn tự động")
    assert row.get_by_test_id("web-check-done").inner_text() == "Đã kiểm tra Internet: 1 nguồn"
    reviewer.get_by_role("link", name="Cửa cuốn tự động cho kho thành phẩm").click()
    evidence = reviewer.get_by_test_id("evidence").first
    link = evidence.get_by_test_id("source-link")
    assert link.get_attribute("href") == served_page
    assert link.inner_text() == served_page
    assert evidence.get_by_test_id("source-title").inner_text() == PAGE_TITLE
    assert evidence.get_by_test_id("source-fetched-at").is_visible()
    own = evidence.get_by_test_id("initiative-text").locator("mark.copied").first.inner_text()
    theirs = evidence.get_by_test_id("source-text").locator("mark.copied").first.inner_text()
    assert "cửa cuốn tốc độ cao" in own and "cửa cuốn tốc độ cao" in theirs
    assert "Đã kiểm tra Internet" in reviewer.get_by_test_id("web-check-state").inner_text()
    screenshot(reviewer, "review-web-evidence-desktop")
    reviewer.set_viewport_size({"width": 390, "height": 844})
    screenshot(reviewer, "review-web-evidence-phone")
