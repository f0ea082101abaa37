"""Browser tests of the moderation queue (issue 5).

A reviewer of Cần Thơ (province A) works the queue and returns a flagged
initiative with a reason; the author reads the reason, revises it in the
submission form, resubmits, and the similarity check runs again (in the real
worker, see conftest) so the item comes back checked. The reviewer of Hà Nội (province B)
gets 404 on the same item by URL and by API.

The flagged state is set up directly (a SimilarityCheck with its matches, as the
check leaves them), so the evidence on screen is known to the character.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD, seed_demo_country
from accounts.models import User
from dedup.models import SimilarityCheck
from federation.models import OrgUnit
from initiatives import services
from initiatives.demo import seed_fields
from initiatives.models import Initiative, ParticipantGroup, Status
from tests.e2e.conftest import log_in, screenshot, wait_until
from tests.review.helpers import COPIED, SOURCE_TEXT, add_match, make_check

pytestmark = pytest.mark.django_db(transaction=True)

REASON = "Ghi rõ phần cải tiến riêng và trích nguồn đoạn mô tả cảm biến."
# Long enough that each pane has to scroll to show the copied passage.
PREFACE = "\n".join(
    f"Bước {n}: kiểm tra kho cấp đông số {n} và ghi sổ theo dõi." for n in range(1, 41)
)
OWN_TEXT = f"{PREFACE}\nKho cấp đông thường bị quá nhiệt vào ca đêm. {COPIED} Áp dụng tại kho số 2."
LONG_SOURCE_TEXT = f"{PREFACE}\n{SOURCE_TEXT}"


def _initiative(*, unit_code: str, owner_email: str, title: str, description: str, status: str):
    """A complete initiative (the form would accept it), put in `status` directly."""
    owner = User.objects.get(email=owner_email)
    unit = OrgUnit.objects.get(code=unit_code)
    fields = seed_fields()
    draft = services.initiative_save_draft(
        entered_by=owner,
        data={
            "title": title,
            "summary": "Không để hàng hỏng vì quá nhiệt.",
            "field": next(iter(fields.values())),
            "participant_group": ParticipantGroup.ENTERPRISE,
            "unit": unit,
            "owner": owner,
            "problem": "Kho lạnh quá nhiệt mà không ai biết.",
            "description": description,
            "improvements": "Cảnh báo tự động.",
            "application_scope": "Các kho lạnh.",
            "conditions": "Có sóng điện thoại.",
            "first_applied_on": dt.date(2025, 3, 1),
            "first_applied_by": "Kho số 2",
            "benefit_vnd": Decimal(120_000_000),
            "benefit_text": "Giảm hàng hỏng.",
        },
        authors=[
            services.AuthorData(
                owner.full_name,
                Decimal(100),
                user_id=owner.pk,
                workplace="Kho số 2",
                date_of_birth=dt.date(1985, 4, 12),
            )
        ],
    )
    Initiative.objects.filter(pk=draft.pk).update(
        status=status,
        submitted_at=timezone.now() - dt.timedelta(days=2),
        top_unit=OrgUnit.objects.get(code=unit_code).get_ancestors().get(level=1),
    )
    return Initiative.objects.get(pk=draft.pk)


@pytest.fixture
def flagged(settings):
    seed_demo_country()
    source = _initiative(
        unit_code="LDLD01-U01-G01",
        owner_email="congnhan.hanoi@demo.vn",
        title="Cảnh báo nhiệt độ kho lạnh qua tin nhắn",
        description=LONG_SOURCE_TEXT,
        status=Status.APPROVED,
    )
    make_check(source, LONG_SOURCE_TEXT, flagged=False)
    item = _initiative(
        unit_code="LDLD92-U01-G01",
        owner_email="congnhan@demo.vn",
        title="Cảm biến nhiệt độ cho kho cấp đông",
        description=OWN_TEXT,
        status=Status.FLAGGED,
    )
    Initiative.objects.filter(pk=item.pk).update(copied_share=0.55, copied_source_count=1)
    check = make_check(item, OWN_TEXT)
    start, source_start = OWN_TEXT.index(COPIED), LONG_SOURCE_TEXT.index(COPIED)
    add_match(
        check,
        source=source,
        own_span=(start, start + len(COPIED)),
        source_span=(source_start, source_start + len(COPIED)),
        coverage=0.55,
    )
    hanoi_item = _initiative(
        unit_code="LDLD01-U01-G01",
        owner_email="congnhan.hanoi@demo.vn",
        title="Sáng kiến bị gắn cờ của Hà Nội",
        description="Một nội dung khác.",
        status=Status.FLAGGED,
    )
    return item, hanoi_item


def _mark_is_inside_its_pane(page, testid: str) -> str:
    """The first copied passage is visible: its pane scrolled down to it (review.js)."""
    pane = page.get_by_test_id(testid).first
    mark = pane.locator("mark.copied").first
    mark.wait_for()
    page.wait_for_function("el => el.scrollTop > 0", arg=pane.element_handle(), timeout=5_000)
    box, pane_box = mark.bounding_box(), pane.bounding_box()
    assert (
        pane_box["y"] - 1 <= box["y"]
        and box["y"] + box["height"] <= pane_box["y"] + pane_box["height"] + 1
    )
    return mark.inner_text()


def test_reviewer_returns_with_a_reason_and_the_author_resubmits(
    live_server, desktop_page, phone_page, flagged
):
    item, hanoi_item = flagged
    page = desktop_page
    log_in(page, live_server, "duyet.cantho@demo.vn", DEMO_PASSWORD)
    page.wait_for_url(f"{live_server.url}/")
    page.get_by_role("link", name="Duyệt sáng kiến").first.click()
    page.wait_for_url(f"{live_server.url}/duyet/")

    rows = page.get_by_test_id("queue-row")
    assert rows.count() == 1
    assert "Cảm biến nhiệt độ cho kho cấp đông" in rows.first.inner_text()
    assert "Hà Nội" not in page.get_by_test_id("queue-table").inner_text()
    assert "55%" in rows.first.inner_text()
    screenshot(page, "review-queue-desktop")

    # Keyboard: j selects the first row, c claims it in place, Enter opens it.
    page.locator("html[data-review-ready]").wait_for(state="attached")
    page.keyboard.press("j")
    page.keyboard.press("c")
    page.get_by_test_id("claimed-by").wait_for()
    assert "Huỳnh Thị Hiền" in page.get_by_test_id("claimed-by").inner_text()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/duyet/{item.pk}/")

    assert _mark_is_inside_its_pane(page, "initiative-text") == COPIED
    assert _mark_is_inside_its_pane(page, "source-text") == COPIED
    facts = page.get_by_test_id("source-facts").inner_text()
    assert "Trần Thị Mai" in facts and "Đã phê duyệt" in facts
    screenshot(page, "review-case-desktop")

    # r picks "return" and puts the cursor in the reason box.
    page.locator("html[data-review-ready]").wait_for(state="attached")
    page.keyboard.press("r")
    assert page.locator("#reason").evaluate("el => el === document.activeElement")
    page.get_by_test_id("decide-submit").click()
    page.get_by_test_id("decide-error").wait_for()
    assert "Cần ghi rõ lý do." in page.get_by_test_id("decide-error").inner_text()
    page.locator("#reason").fill(REASON)
    page.get_by_test_id("decide-submit").click()
    page.wait_for_url(f"{live_server.url}/duyet/")
    assert "Đã trả lại" in page.locator(".messages").inner_text()
    assert page.get_by_test_id("queue-empty").is_visible()
    item.refresh_from_db()
    assert item.status == Status.RETURNED and item.review_note == REASON

    # The reviewer of Hà Nội: 404 on Cần Thơ's item, by URL and by API.
    other = page.context.browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="vi-VN"
    )
    other_page = other.new_page()
    log_in(other_page, live_server, "duyet.hanoi@demo.vn", DEMO_PASSWORD)
    other_page.wait_for_url(f"{live_server.url}/")
    assert other_page.goto(f"{live_server.url}/duyet/{item.pk}/").status == 404
    assert other_page.request.get(f"{live_server.url}/api/v1/review/cases/{item.pk}/").status == 404
    other_page.goto(f"{live_server.url}/duyet/")
    assert "Sáng kiến bị gắn cờ của Hà Nội" in other_page.get_by_test_id("queue-table").inner_text()
    assert hanoi_item.title not in page.content()
    other.close()

    # The author, on a phone: the notice with the reason, then revise and resubmit.
    author = phone_page
    log_in(author, live_server, "congnhan@demo.vn", DEMO_PASSWORD)
    author.wait_for_url(f"{live_server.url}/")
    author.goto(f"{live_server.url}/duyet/thong-bao/")
    notice = author.get_by_test_id("notice").first
    assert REASON in notice.inner_text()
    screenshot(author, "review-notices-phone")
    notice.get_by_role("button", name="Sửa và nộp lại").click()
    author.wait_for_url(f"{live_server.url}/sang-kien/{item.pk}/sua/")
    assert REASON in author.get_by_test_id("review-note").inner_text()
    author.evaluate(
        """() => {
            const field = document.querySelector('[name="description"]');
            field.value = 'Tự thiết kế bộ đếm giờ chạy máy nén, ghi nhật ký nhiệt độ từng ca '
              + 'và gửi báo cáo cho tổ trưởng mỗi sáng bằng bảng tính dùng chung.';
        }"""
    )
    author.evaluate("() => document.querySelector('[data-submit]').click()")
    author.wait_for_url(f"{live_server.url}/sang-kien/{item.pk}/")
    screenshot(author, "review-resubmitted-phone")

    # The worker checks it again after the resubmission: checked, not left waiting.
    def checked():
        item.refresh_from_db()
        return item.status in (Status.VALID, Status.FLAGGED)

    wait_until("the check after the resubmission", checked)
    latest = SimilarityCheck.objects.filter(initiative=item).order_by("-started_at", "-id").first()
    assert latest.checked_text != OWN_TEXT and "bộ đếm giờ" in latest.checked_text
    assert item.events.filter(transition="resubmit").exists()


def test_queue_and_case_on_a_phone(live_server, phone_page, flagged):
    item, _hanoi_item = flagged
    page = phone_page
    log_in(page, live_server, "duyet.cantho@demo.vn", DEMO_PASSWORD)
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/duyet/")
    assert page.get_by_test_id("queue-row").count() == 1
    screenshot(page, "review-queue-phone")
    page.get_by_role("link", name=item.title).click()
    page.wait_for_url(f"{live_server.url}/duyet/{item.pk}/")
    assert _mark_is_inside_its_pane(page, "initiative-text") == COPIED
    screenshot(page, "review-case-phone")


def test_the_unit_admin_turns_on_review_everything(live_server, phone_page, flagged):
    page = phone_page
    log_in(page, live_server, "canbo.cantho@demo.vn", DEMO_PASSWORD)
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/duyet/chinh-sach/")
    card = page.get_by_test_id("policy-LDLD92")
    card.get_by_label("Thời hạn duyệt (ngày)").fill("0")
    card.get_by_role("button", name="Lưu").click()
    card = page.get_by_test_id("policy-LDLD92")
    assert "Thời hạn duyệt phải từ 1 đến 90 ngày." in card.inner_text()
    assert card.get_by_label("Thời hạn duyệt (ngày)").input_value() == "0"
    card.get_by_label("Duyệt mọi sáng kiến (mặc định: chỉ sáng kiến bị gắn cờ)").check()
    card.get_by_label("Thời hạn duyệt (ngày)").fill("5")
    card.get_by_role("button", name="Lưu").click()
    assert "Đã lưu chính sách duyệt" in page.locator(".messages").inner_text()
    screenshot(page, "review-policy-phone")
    province = OrgUnit.objects.get(code="LDLD92")
    assert province.review_everything and province.review_time_limit_days == 5
