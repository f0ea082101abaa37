"""Browser tests of the submission form: a worker on a phone, an officer entering for a
member, refused files. The similarity check runs in the real worker (see conftest):
right after submitting the person sees "checking" (or already the result), and the
initiative comes back valid, the archive holding nothing like it."""

import pytest
from django.test import override_settings

from accounts.demo import DEMO_PASSWORD, seed_demo_country
from initiatives import attachments
from initiatives.demo import seed_fields
from initiatives.models import Initiative, Status
from tests.e2e.conftest import log_in, screenshot, wait_until
from tests.initiatives.submission_helpers import EXE_BYTES, minimal_pdf

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def demo(media_root):
    seed_demo_country()
    seed_fields()


def checked(initiative: Initiative) -> str:
    """Wait for the worker's check; return the status it left."""

    def status():
        initiative.refresh_from_db()
        return initiative.status not in {Status.SUBMITTED, Status.CHECKING} and initiative.status

    return wait_until("the similarity check", status)


def fill_steps_1_to_3(page, title: str) -> None:
    page.locator('[name="title"]').fill(title)
    page.locator('[name="field"]').select_option(label="Chế biến thủy sản, thực phẩm")
    page.locator('[name="participant_group"]').select_option("enterprise")
    page.get_by_role("button", name="Tiếp").click()
    page.locator('[name="problem"]').fill(
        "Máy nén lạnh chạy hết công suất cả khi tải thấp, tốn điện vào ca đêm."
    )
    page.locator('[name="description"]').fill(
        "Lắp biến tần điều khiển tốc độ máy nén theo nhiệt độ buồng cấp đông."
    )
    page.locator('[name="improvements"]').fill("Tốc độ máy nén thay đổi theo tải thực tế.")
    page.locator('[name="application_scope"]').fill("Các nhà máy chế biến thủy sản có cấp đông.")
    page.get_by_role("button", name="Tiếp").click()
    page.locator('[name="first_applied_on"]').fill("2025-06-01")
    page.locator('[name="summary"]').fill("Giảm 12% điện năng tiêu thụ của dây chuyền.")
    page.locator('[name="benefit_vnd"]').fill("420000000")
    page.locator('[name="benefit_text"]').fill(
        "Tiết kiệm khoảng 35 triệu đồng tiền điện mỗi tháng."
    )
    page.get_by_role("button", name="Tiếp").click()


def test_worker_fills_the_form_on_a_phone_saves_a_draft_and_submits(
    live_server, phone_page, tmp_path
):
    page = phone_page
    log_in(page, live_server, "congnhan@demo.vn", DEMO_PASSWORD)
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/sang-kien/moi/")
    # Steps, one at a time: only step 1 is visible.
    assert page.locator('fieldset[data-step="1"]').is_visible()
    assert not page.locator('fieldset[data-step="2"]').is_visible()
    assert page.locator('[name="unit"] option:checked').inner_text() == (
        "Công đoàn Công ty CP Thủy sản Bình An"
    )
    screenshot(page, "submission-phone-step1")
    fill_steps_1_to_3(page, "Lắp biến tần cho máy nén lạnh dây chuyền cấp đông IQF")

    # Step 4: the worker is the first author at 100%; attach a PDF.
    assert page.locator('[name="authors-0-full_name"]').input_value() == "Nguyễn Văn Tâm"
    assert "100%" in page.locator("[data-contribution-total]").inner_text()
    pdf = tmp_path / "thuyet-minh.pdf"
    pdf.write_bytes(minimal_pdf("Bien tan cho may nen lanh"))
    page.locator('input[type="file"]').set_input_files(str(pdf))
    page.get_by_role("button", name="Lưu nháp").click()
    page.wait_for_url("**/sua/?buoc=4")
    assert "Đã lưu bản nháp." in page.locator(".messages").inner_text()
    assert page.locator('fieldset[data-step="4"]').is_visible()
    assert "thuyet-minh.pdf" in page.get_by_test_id("attachments").inner_text()
    screenshot(page, "submission-phone-step4-saved")

    page.get_by_role("button", name="Tiếp").click()
    review = page.locator("[data-review]")
    assert "Lắp biến tần cho máy nén lạnh dây chuyền cấp đông IQF" in review.inner_text()
    screenshot(page, "submission-phone-step5-review")
    page.get_by_role("button", name="Nộp sáng kiến").click()
    page.wait_for_selector('[data-testid="timeline"]')
    assert page.get_by_test_id("status").inner_text() in {"Đang kiểm tra", "Hợp lệ"}
    screenshot(page, "submission-phone-submitted")

    initiative = Initiative.objects.get()
    assert checked(initiative) == Status.VALID
    page.reload()
    assert page.get_by_test_id("status").inner_text() == "Hợp lệ"
    assert initiative.owner.email == "congnhan@demo.vn"
    # The text was extracted by the real worker (a queued task, not the upload request),
    # before the check that it feeds came back.
    attachment = initiative.attachments.get()
    assert attachment.text_status == "done"
    assert "Bien tan cho may nen lanh" in attachment.extracted_text

    page.goto(f"{live_server.url}/sang-kien/cua-toi/")
    assert "Hợp lệ" in page.get_by_test_id("my-initiatives").inner_text()
    screenshot(page, "my-initiatives-phone")


def test_officer_enters_an_initiative_for_a_member_without_an_account(live_server, desktop_page):
    page = desktop_page
    log_in(page, live_server, "cdcs@demo.vn", DEMO_PASSWORD)
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/sang-kien/danh-sach/")
    page.get_by_role("button", name="Nhập sáng kiến hộ đoàn viên").click()
    assert page.locator('[name="on_behalf"]').is_checked()
    fill_steps_1_to_3(page, "Cải tiến bàn sơ chế tôm giảm thao tác thừa")

    page.locator('[name="authors-0-full_name"]').fill("Trần Thị Bé")
    page.locator('[name="authors-0-date_of_birth"]').fill("1990-02-03")
    page.locator('[name="authors-0-workplace"]').fill("Tổ sơ chế 3")
    page.locator('[name="authors-0-job_title"]').fill("Công nhân")
    page.locator('[name="authors-0-contribution_percent"]').fill("60")
    assert "60%" in page.locator("[data-contribution-total]").inner_text()
    page.get_by_role("button", name="Thêm tác giả").click()
    page.locator('[name="authors-1-full_name"]').fill("Phạm Văn Út")
    page.locator('[name="authors-1-contribution_percent"]').fill("40")
    assert "100%" in page.locator("[data-contribution-total]").inner_text()
    screenshot(page, "submission-officer-authors")
    page.get_by_role("button", name="Tiếp").click()
    page.get_by_role("button", name="Nộp sáng kiến").click()
    page.wait_for_selector('[data-testid="timeline"]')
    assert page.get_by_test_id("status").inner_text() in {"Đang kiểm tra", "Hợp lệ"}

    initiative = Initiative.objects.get()
    assert checked(initiative) == Status.VALID
    assert initiative.owner is None
    assert initiative.entered_by.email == "cdcs@demo.vn"
    assert list(initiative.authors.values_list("full_name", "user_id", "workplace")) == [
        ("Trần Thị Bé", None, "Tổ sơ chế 3"),
        ("Phạm Văn Út", None, ""),
    ]
    page.goto(f"{live_server.url}/sang-kien/danh-sach/")
    assert "Cải tiến bàn sơ chế tôm" in page.get_by_test_id("initiative-table").inner_text()
    screenshot(page, "unit-initiatives-desktop")


@override_settings(INITIATIVE_ATTACHMENT_MAX_BYTES=2000)
def test_renamed_program_and_oversized_file_are_refused_and_the_form_is_kept(
    live_server, phone_page, tmp_path
):
    page = phone_page
    log_in(page, live_server, "congnhan@demo.vn", DEMO_PASSWORD)
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/sang-kien/moi/")
    fill_steps_1_to_3(page, "Gá kẹp nhanh cho máy khoan cần")

    program = tmp_path / "ban-ve.pdf"
    program.write_bytes(EXE_BYTES)
    page.locator('input[type="file"]').set_input_files(str(program))
    page.get_by_role("button", name="Lưu nháp").click()
    errors = page.get_by_test_id("file-errors")
    assert errors.inner_text() == attachments.MSG_TYPE_REFUSED.format(name="ban-ve.pdf")
    # The page opened at the files step; everything typed is still there.
    assert page.locator('fieldset[data-step="4"]').is_visible()
    assert page.locator('[name="title"]').input_value() == "Gá kẹp nhanh cho máy khoan cần"
    assert page.locator('[name="summary"]').input_value() == (
        "Giảm 12% điện năng tiêu thụ của dây chuyền."
    )
    screenshot(page, "submission-phone-refused-type")

    big = tmp_path / "ban-ve-lon.pdf"
    big.write_bytes(minimal_pdf("x" * 3000))
    page.locator('input[type="file"]').set_input_files(str(big))
    page.get_by_role("button", name="Lưu nháp").click()
    errors = page.get_by_test_id("file-errors")
    assert "“ban-ve-lon.pdf” quá lớn" in errors.inner_text()
    assert page.locator('[name="title"]').input_value() == "Gá kẹp nhanh cho máy khoan cần"
    screenshot(page, "submission-phone-refused-size")

    initiative = Initiative.objects.get()
    assert initiative.status == Status.DRAFT  # saved, so nothing typed is lost
    assert not initiative.attachments.exists()


def test_a_file_chosen_before_an_error_is_kept_and_attached_once_fixed(
    live_server, phone_page, tmp_path
):
    """Issue 14: a form with an error no longer drops the chosen file."""
    page = phone_page
    log_in(page, live_server, "congnhan@demo.vn", DEMO_PASSWORD)
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/sang-kien/moi/")
    fill_steps_1_to_3(page, "Gá kẹp nhanh cho máy khoan cần")
    # A date in the future: the form refuses it, so nothing can be saved yet.
    page.get_by_role("button", name="Quay lại").click()
    page.locator('[name="first_applied_on"]').fill("2099-01-01")
    page.get_by_role("button", name="Tiếp").click()
    drawing = tmp_path / "ban-ve-ga-kep.pdf"
    drawing.write_bytes(minimal_pdf("Ban ve ga kep nhanh"))
    page.locator('input[type="file"]').set_input_files(str(drawing))
    page.get_by_role("button", name="Lưu nháp").click()

    page.get_by_test_id("error-summary").wait_for()
    assert not Initiative.objects.exists()  # nothing half-saved
    assert "không cần chọn lại tệp" in page.locator(".messages").inner_text()
    # The file is still there, named, without picking it again.
    while not page.locator('fieldset[data-step="4"]').is_visible():
        page.get_by_role("button", name="Tiếp").click()
    kept = page.get_by_test_id("kept-files")
    assert "Đã chọn: ban-ve-ga-kep.pdf (giữ lại)" in kept.inner_text()
    assert page.locator('input[type="file"]').evaluate("input => input.files.length") == 0
    kept.scroll_into_view_if_needed()
    screenshot(page, "i14-kept-file-phone")
    page.set_viewport_size({"width": 1366, "height": 900})
    kept.scroll_into_view_if_needed()
    screenshot(page, "i14-kept-file-desktop")
    page.set_viewport_size({"width": 390, "height": 844})

    # Fix the date, review (the kept file is listed), submit: the file is on the initiative.
    page.get_by_role("button", name="Quay lại").click()
    page.locator('[name="first_applied_on"]').fill("2025-06-01")
    page.get_by_role("button", name="Tiếp").click()
    page.get_by_role("button", name="Tiếp").click()
    assert "ban-ve-ga-kep.pdf" in page.locator("[data-review]").inner_text()
    page.get_by_role("button", name="Nộp sáng kiến").click()
    page.wait_for_selector('[data-testid="timeline"]')
    initiative = Initiative.objects.get()
    assert initiative.title == "Gá kẹp nhanh cho máy khoan cần"
    assert initiative.status != Status.DRAFT
    assert list(initiative.attachments.values_list("original_name", flat=True)) == [
        "ban-ve-ga-kep.pdf"
    ]
    assert "ban-ve-ga-kep.pdf" in page.content()


def test_library_search_without_accents_on_a_phone_and_the_qr_poster(
    live_server, phone_page, desktop_page
):
    import io

    from initiatives.demo import seed

    seed(io.StringIO())
    page = phone_page
    page.goto(f"{live_server.url}/sang-kien/thu-vien/")
    page.get_by_role("searchbox").fill("bien tan may nen")
    page.get_by_role("button", name="Tìm").click()
    results = page.get_by_test_id("library").inner_text()
    assert "Lắp biến tần cho máy nén lạnh" in results
    shown = Initiative.objects.filter(title__in=results.splitlines())
    assert shown.exists() and not shown.filter(is_confidential=True).exists()
    screenshot(page, "library-phone")
    page.locator("[data-testid=library] h2 a").first.click()
    assert "Chia sẻ trang này" in page.content()
    screenshot(page, "library-initiative-phone")

    desktop = desktop_page
    log_in(desktop, live_server, "cdcs@demo.vn", DEMO_PASSWORD)
    desktop.wait_for_url(f"{live_server.url}/")
    desktop.goto(f"{live_server.url}/sang-kien/ap-phich/")
    desktop.locator("main").get_by_role(
        "link", name="Công đoàn Công ty CP Thủy sản Bình An"
    ).click()
    poster = desktop.get_by_test_id("poster")
    assert "/tai-khoan/dang-ky/?don-vi=LDLD92-U01-G01" in poster.inner_text()
    assert desktop.locator("img.qr").evaluate("img => img.naturalWidth") > 0
    screenshot(desktop, "qr-poster-desktop")
    desktop.emulate_media(media="print")
    assert not desktop.locator(".site-header").is_visible()
    screenshot(desktop, "qr-poster-print")
