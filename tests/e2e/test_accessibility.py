"""axe-core on every page of every persona, at desktop and phone size (issue 14).

Each persona (the demo accounts of the README) gets one browser context; the sweep
follows the links it is shown from the home page and its menu, visiting each kind of
page once per size (ids and unit codes in the path count as one page), and runs the
vendored axe-core (static/vendor/axe/, offline) on it. No serious or critical
violation may remain.
"""

from __future__ import annotations

import io
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from accounts.demo import DEMO_PASSWORD, seed_demo_country
from initiatives.demo import seed
from initiatives.models import Initiative
from rankings.demo import seed_rankings_demo
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe" / "axe.min.js"
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
PERSONAS = {
    "anonymous": None,
    "worker": "congnhan@demo.vn",
    "grassroots_officer": "cdcs@demo.vn",
    "unit_officer": "canbo.cantho@demo.vn",
    "reviewer": "duyet.cantho@demo.vn",
    "leadership": "lanhdao@demo.vn",
}
MAX_PAGES = 40
# Not pages of the portal: downloads, the admin, the API and its third-party docs, writes.
SKIP = re.compile(
    r"^/(admin|api|i18n|media|static)/|/dang-xuat/|\.(xlsx|csv|pdf|jsonl?)$|/tep/|/xuat/|/mau"
)
BAD = ("serious", "critical")


def page_kind(path: str) -> str:
    """/sang-kien/123/sua/ and /sang-kien/456/sua/ are one kind of page; so are units."""
    path = re.sub(r"/\d+(?=/)", "/N", path)
    return re.sub(r"/(LDLD|TLD|CD|G|U)[A-Z0-9-]*(?=/)", "/CODE", path)


def extra_pages(email: str | None) -> list[str]:
    """Pages a persona reaches from inside other pages (cards, rows) the crawl may not follow."""
    pages = []
    public = Initiative.objects.filter(status="approved", is_confidential=False).first()
    pages.append(f"/sang-kien/thu-vien/{public.pk}/")
    if email:
        pages.append("/tai-khoan/khoa-api/")  # linked from /tai-khoan/, deep in the crawl
    if email == "duyet.cantho@demo.vn":
        flagged = Initiative.objects.filter(status="flagged", unit__code__startswith="LDLD92")
        match = (
            flagged.filter(similarity_checks__matches__source_initiative__isnull=False)
            .values_list("pk", "similarity_checks__matches__source_initiative")
            .first()
        )
        if match:
            pages.append(f"/duyet/{match[0]}/nguon/{match[1]}/")
    if email == "congnhan@demo.vn":
        returned = Initiative.objects.filter(owner__email=email, status="returned").first()
        if returned:
            pages.append(f"/sang-kien/{returned.pk}/sua/?buoc=5")
    return pages


def run_axe(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, { resultTypes: ["violations"] });
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
            }));
        }"""
    )
    return [v for v in result if v["impact"] in BAD]


def sweep(context, base: str, start: list[str]) -> tuple[dict[str, list], int]:
    """Visit every kind of page reachable from `start`, at each size; axe on each, and at
    phone size no page wider than the screen."""
    page = context.new_page()
    page.set_default_timeout(15_000)
    found: dict[str, list] = {}
    queue, seen_kinds, urls = list(start), set(), []
    # Crawl once (desktop), then revisit the same pages at phone size.
    page.set_viewport_size(SIZES["desktop"])
    while queue and len(urls) < MAX_PAGES:
        path = queue.pop(0)
        kind = page_kind(urlsplit(path).path)
        if kind in seen_kinds or SKIP.search(urlsplit(path).path):
            continue
        seen_kinds.add(kind)
        response = page.goto(base + path)
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        if response.status >= 400:
            found[f"desktop {path}"] = [{"id": f"HTTP {response.status}", "targets": []}]
            continue
        urls.append(path)
        violations = run_axe(page)
        if violations:
            found[f"desktop {path}"] = violations
        # Links marked as downloads (exports, one's own data) are files, not pages.
        for href in page.eval_on_selector_all(
            "a[href]:not([download])", "links => links.map(a => a.getAttribute('href'))"
        ):
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            queue.append(parts.path + (f"?{parts.query}" if "buoc=" in parts.query else ""))
    page.set_viewport_size(SIZES["phone"])
    for path in urls:
        page.goto(base + path)
        violations = run_axe(page)
        # Nothing may widen a page past the phone's screen (wide tables scroll inside
        # their own region, the menu opens leftwards).
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > SIZES["phone"]["width"]:
            violations.append({"id": f"page {width}px wide on a phone", "targets": []})
        if violations:
            found[f"phone {path}"] = violations
    page.close()
    return found, len(urls)


def test_no_serious_or_critical_violation_on_any_page(live_server, browser):
    seed_demo_country()
    seed(io.StringIO())
    seed_rankings_demo()
    problems: dict[str, dict] = {}
    visited = {}
    started = time.monotonic()
    for persona, email in PERSONAS.items():
        context = browser.new_context(viewport=SIZES["desktop"], locale="vi-VN", bypass_csp=True)
        if email:
            page = context.new_page()
            log_in(page, live_server, email, DEMO_PASSWORD)
            page.wait_for_url(f"{live_server.url}/")
            page.close()
        found, count = sweep(context, live_server.url, ["/", *extra_pages(email)])
        visited[persona] = count
        if found:
            problems[persona] = found
        context.close()
    elapsed = time.monotonic() - started
    print(f"axe sweep: {visited} pages per persona, {elapsed:.0f}s")
    assert all(n >= 5 for n in visited.values()), visited
    report = "\n".join(
        f"{persona} {where}: {v['id']} ({v.get('impact')}) {v.get('help', '')} {v['targets']}"
        for persona, pages in problems.items()
        for where, violations in pages.items()
        for v in violations
    )
    assert not problems, report
