"""The Content-Security-Policy (no inline script) holds on the main pages: Chromium
reports no violation while each persona opens them, and the behaviours that used
inline handlers (language switch, print, select the share link) still work."""

from __future__ import annotations

import pytest

from accounts.demo import DEMO_PASSWORD
from initiatives.models import Initiative, Status
from tests.e2e.conftest import log_in
from tests.e2e.test_review import flagged  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db(transaction=True)

WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__csp.push(event.violatedDirective + " " + event.blockedURI + " " + event.sourceFile);
});
"""


def _watch(page) -> list[str]:
    console = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.add_init_script(WATCH)
    return console


def _visit(page, live_server, path: str, console: list[str]) -> None:
    response = page.goto(f"{live_server.url}{path}")
    assert response.status < 400, path
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")
    violations = page.evaluate("window.__csp") + console
    assert violations == [], (path, violations)


def test_the_main_pages_raise_no_csp_violation(desktop_page, live_server, flagged):  # noqa: F811
    item, _hanoi = flagged
    page = desktop_page
    console = _watch(page)
    public = Initiative.objects.filter(status=Status.APPROVED).first()
    for path in ("/", "/sang-kien/thu-vien/", f"/sang-kien/thu-vien/{public.pk}/", "/xep-hang/"):
        _visit(page, live_server, path, console)
    log_in(page, live_server, "congnhan@demo.vn", DEMO_PASSWORD)
    for path in ("/sang-kien/moi/", "/sang-kien/cua-toi/", f"/sang-kien/{item.pk}/"):
        _visit(page, live_server, path, console)
    page.context.clear_cookies()
    log_in(page, live_server, "duyet.cantho@demo.vn", DEMO_PASSWORD)
    for path in ("/duyet/", f"/duyet/{item.pk}/"):
        _visit(page, live_server, path, console)
    page.context.clear_cookies()
    log_in(page, live_server, "lanhdao@demo.vn", DEMO_PASSWORD)
    for path in ("/xep-hang/bang-dieu-khien/", "/don-vi/", "/api/docs/"):
        _visit(page, live_server, path, console)
    page.context.clear_cookies()
    log_in(page, live_server, "cdcs@demo.vn", DEMO_PASSWORD)
    _visit(page, live_server, "/sang-kien/ap-phich/", console)


def test_former_inline_handlers_work_from_the_static_script(
    desktop_page,
    live_server,
    flagged,  # noqa: F811
):
    page = desktop_page
    console = _watch(page)
    public = Initiative.objects.filter(status=Status.APPROVED).first()
    _visit(page, live_server, f"/sang-kien/thu-vien/{public.pk}/", console)
    share = page.locator("#share-url")
    share.click()
    selected = page.evaluate(
        "() => { const f = document.getElementById('share-url');"
        " return f.selectionEnd - f.selectionStart; }"
    )
    assert selected == len(share.input_value())
    page.get_by_label("Ngôn ngữ").select_option("en")
    with page.expect_navigation():  # the switch has its own button (no submit-on-change)
        page.get_by_test_id("language-submit").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.evaluate("window.__csp") + console == []
