"""The web-copy check over real HTTP: a search API and pages served on 127.0.0.1 by the
test itself (tests/localweb.py), the portal's own client fetching them (no mocks)."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from dedup.models import SimilarityCheck, SimilarityMatch, WebSource
from dedup.services import (
    extract_file_text,
    initiative_check,
    initiative_web_check,
    web_source_add,
    webcheck_provider,
)
from dedup.tasks import web_check_initiative
from dedup.webcheck import fetch
from dedup.webcheck.fetch import AddressGuard, Fetcher, FetchLimits, FetchRefused
from dedup.webcheck.providers import ProviderUnavailable
from initiatives.models import Status
from tests.dedup import samples
from tests.initiatives.submission_helpers import minimal_pdf
from tests.localweb import Page, local_web

pytestmark = pytest.mark.django_db

# A page of a "sample initiatives" site: its second paragraph is copied below.
PAGE_PARAGRAPHS = [
    "Bài viết giới thiệu một số sáng kiến tiêu biểu của ngành chế biến thủy sản trong năm qua.",
    "Để giảm thất thoát nhiệt ở kho lạnh, tổ bảo trì đã thay toàn bộ rèm nhựa cửa kho bằng cửa "
    "cuốn tốc độ cao đóng mở theo cảm biến hồng ngoại, đồng thời lắp đồng hồ đo điện riêng cho "
    "từng dàn lạnh để theo dõi mức tiêu thụ hằng ngày. Nhờ đó nhiệt độ trong kho ổn định hơn, "
    "hàng bảo quản không còn bị đọng sương và lượng điện tiêu thụ của khu kho giảm gần mười "
    "lăm phần trăm so với cùng kỳ năm trước, tiết kiệm hàng trăm triệu đồng mỗi năm.",
    "Các đơn vị muốn áp dụng có thể liên hệ ban biên tập để nhận bản vẽ chi tiết.",
]
COPIED_PARAGRAPH = PAGE_PARAGRAPHS[1]
WITH_WEB_COPY = " ".join([samples.HOSPITAL_QUEUE, COPIED_PARAGRAPH, samples.SCHOOL_LAB])


@pytest.fixture
def web(settings):
    with local_web() as served:
        settings.WEBCHECK_SEARXNG_URL = served.base
        settings.WEBCHECK_ALLOW_PRIVATE_ADDRESSES = "127.0.0.0/8"
        settings.WEBCHECK_READ_TIMEOUT = 2.0
        # Filler pages the search also knows, on other subjects.
        for number, text in enumerate([samples.RUBBER_TAPPING, samples.FREEZING_LINE]):
            served.add_article(f"/tin/{number}", f"Tin số {number}", [text])
        served.add_article(
            "/sang-kien-kho-lanh", "Sáng kiến tiết kiệm điện kho lạnh", PAGE_PARAGRAPHS
        )
        yield served


def test_a_copied_paragraph_of_a_served_page_is_found_and_kept_with_its_url(web, hand_in, personas):
    item = hand_in(personas.worker_a, WITH_WEB_COPY, title="Cải tiến khoa khám bệnh")

    check = initiative_check(initiative_id=item.pk)

    # The archive holds nothing like it: the initiative waits for the web check.
    item.refresh_from_db()
    assert item.status == Status.CHECKING
    assert check.web_state == SimilarityCheck.WebState.PENDING

    check = initiative_web_check(check_id=check.pk)

    item.refresh_from_db()
    assert item.status == Status.FLAGGED
    assert check.web_state == SimilarityCheck.WebState.DONE
    assert 1 <= check.web_queries <= 10 and 1 <= check.web_downloads <= 15
    match = check.matches.get(source_kind=SimilarityMatch.SourceKind.WEB)
    assert match.flagged
    assert match.source_url == web.url("/sang-kien-kho-lanh")
    assert match.source_title == "Sáng kiến tiết kiệm điện kho lạnh"
    assert match.source_fetched_at is not None
    passage = match.passages[0]
    assert "cửa cuốn tốc độ cao" in check.checked_text[passage["start"] : passage["end"]]
    assert (
        "cửa cuốn tốc độ cao" in match.source_text[passage["source_start"] : passage["source_end"]]
    )
    # The page's main text was kept, not its menus and footer.
    page = WebSource.objects.get(address=web.url("/sang-kien-kho-lanh"))
    assert page.kind == "web" and "Liên hệ" not in page.text and "Bản quyền" not in page.text
    assert item.copied_share == pytest.approx(match.coverage, abs=0.02)


def test_the_next_copy_of_a_fetched_page_is_found_by_the_archive_lookup_without_a_query(
    web, hand_in, personas
):
    first = hand_in(personas.worker_a, WITH_WEB_COPY)
    initiative_web_check(check_id=initiative_check(initiative_id=first.pk).pk)
    searches = len(web.searches)

    second = hand_in(personas.worker_b, " ".join([samples.SCHOOL_LAB, COPIED_PARAGRAPH]))
    check = initiative_check(initiative_id=second.pk)

    # The archive check's verdict is computed and kept at once; the initiative waits
    # in checking for the web half.
    second.refresh_from_db()
    assert check.flagged and second.status == Status.CHECKING
    assert check.matches.filter(source_kind="web", flagged=True).exists()
    assert len(web.searches) == searches
    # The web check then skips the chunks the known page covers.
    initiative_web_check(check_id=check.pk)
    assert check.matches.filter(source_kind="web").count() == 1
    second.refresh_from_db()
    assert second.status == Status.FLAGGED


def test_text_common_to_many_pages_never_flags_by_itself(web, hand_in, personas):
    own = [samples.FREEZING_LINE, samples.SCHOOL_LAB, samples.RUBBER_TAPPING]
    for number in range(6):
        web_source_add(
            kind="web",
            address=f"https://tin{number}.example.vn/bai",
            title=f"Bài {number}",
            text=f"{own[number % 3]} {COPIED_PARAGRAPH}",
        )
    web.pages.clear()
    item = hand_in(personas.worker_a, " ".join([samples.HOSPITAL_QUEUE, COPIED_PARAGRAPH]))
    check = initiative_web_check(check_id=initiative_check(initiative_id=item.pk).pk)
    item.refresh_from_db()
    assert item.status == Status.VALID
    assert not check.matches.filter(flagged=True).exists()


def test_without_a_provider_the_web_check_is_off_and_says_so(
    hand_in, personas, client_for, settings
):
    settings.WEBCHECK_SEARXNG_URL = ""
    settings.WEBCHECK_GOOGLE_API_KEY = ""
    item = hand_in(personas.worker_a, samples.HOSPITAL_QUEUE)
    check = initiative_check(initiative_id=item.pk)
    item.refresh_from_db()
    assert item.status == Status.VALID
    assert check.web_state == SimilarityCheck.WebState.OFF
    body = client_for(personas.reviewer_a).get(f"/duyet/{item.pk}/").content.decode()
    assert "Không kiểm tra Internet" in body


def test_a_provider_that_times_out_leaves_the_archive_verdict_and_a_retry(
    web, hand_in, personas, settings
):
    web.search_delay = 3.0  # longer than the read timeout
    settings.WEBCHECK_READ_TIMEOUT = 0.5
    item = hand_in(personas.worker_a, WITH_WEB_COPY)
    check = initiative_check(initiative_id=item.pk)

    with pytest.raises(ProviderUnavailable):
        initiative_web_check(check_id=check.pk)

    check.refresh_from_db()
    item.refresh_from_db()
    assert check.web_state == SimilarityCheck.WebState.PENDING
    assert item.status == Status.CHECKING  # waits for the web check's retry
    assert len(web.searches) == 1

    # The task retries (in-process here, so at once); once its retries are spent the
    # web check is marked not done and the archive verdict stands.
    settings.WEBCHECK_MAX_RETRIES = 1
    settings.WEBCHECK_RETRY_SECONDS = 0
    attempt = web_check_initiative.apply(args=(check.pk,), throw=False)

    assert attempt.get() == {"check_id": check.pk, "web_state": "not_done"}
    assert len(web.searches) == 3  # the task's first try and its retry
    check.refresh_from_db()
    item.refresh_from_db()
    assert check.web_state == SimilarityCheck.WebState.NOT_DONE and "ReadTimeout" in check.web_error
    assert item.status == Status.VALID


def test_an_archive_flag_is_kept_at_once_and_stands_when_the_web_check_cannot_be_done(
    web, hand_in, personas, settings, client_for
):
    web.search_status = 503
    settings.WEBCHECK_MAX_RETRIES = 1
    settings.WEBCHECK_RETRY_SECONDS = 0
    original = hand_in(personas.worker_b, samples.FREEZING_LINE)
    web_check_initiative.apply(args=(initiative_check(initiative_id=original.pk).pk,), throw=False)
    original.refresh_from_db()
    assert original.status == Status.VALID
    copy = hand_in(
        personas.worker_a, samples.FREEZING_LINE + " " + samples.SCHOOL_LAB, title="Bản chép"
    )
    check = initiative_check(initiative_id=copy.pk)

    # Computed first and stored: the archive's verdict and evidence do not wait.
    assert check.flagged and check.web_state == SimilarityCheck.WebState.PENDING
    assert check.settings_used["archive_source_count"] == 1
    assert check.matches.get(flagged=True).source_initiative_id == original.pk
    copy.refresh_from_db()
    assert copy.status == Status.CHECKING  # one verdict over both halves

    attempt = web_check_initiative.apply(args=(check.pk,), throw=False)

    assert attempt.get() == {"check_id": check.pk, "web_state": "not_done"}
    copy.refresh_from_db()
    assert copy.status == Status.FLAGGED
    assert copy.copied_source_count == 1
    assert copy.copied_share == check.settings_used["archive_copied_share"]
    # Reviewers see that the Internet was not checked, in the queue and on the case.
    client = client_for(personas.reviewer_a)
    queue = client.get("/duyet/").content.decode()
    assert 'data-testid="web-check-not-done"' in queue and "Chưa kiểm tra được Internet" in queue
    case = client.get(f"/duyet/{copy.pk}/").content.decode()
    assert "Chưa kiểm tra được Internet: chỉ có kết quả đối chiếu kho" in case


def test_a_web_flag_on_an_archive_pass_is_the_one_verdict(web, hand_in, personas):
    item = hand_in(personas.worker_a, WITH_WEB_COPY)
    check = initiative_check(initiative_id=item.pk)
    assert check.flagged is False
    initiative_web_check(check_id=check.pk)
    item.refresh_from_db()
    assert item.status == Status.FLAGGED
    # The initiative moved once, from checking to flagged: never valid in between.
    moves = list(item.events.order_by("created_at", "pk").values_list("from_status", "to_status"))
    assert (Status.CHECKING, Status.VALID) not in moves
    assert moves[-1] == (Status.CHECKING, Status.FLAGGED)


def test_google_programmable_search_is_the_other_provider(web, hand_in, personas, settings):
    settings.WEBCHECK_SEARXNG_URL = ""
    settings.WEBCHECK_GOOGLE_API_KEY = "khoa-thu"
    settings.WEBCHECK_GOOGLE_ENGINE_ID = "may-tim-kiem"
    settings.WEBCHECK_GOOGLE_ENDPOINT = web.url("/customsearch/v1")
    provider = webcheck_provider()
    assert provider.name == "google"
    item = hand_in(personas.worker_a, WITH_WEB_COPY)
    check = initiative_web_check(check_id=initiative_check(initiative_id=item.pk).pk)
    assert check.matches.get(source_kind="web").source_url == web.url("/sang-kien-kho-lanh")
    settings.WEBCHECK_GOOGLE_ENGINE_ID = ""
    assert webcheck_provider() is None


def test_each_copied_paragraph_gets_its_share_of_the_download_budget(web):
    """Three paragraphs copied from three pages; the first one is also quoted at the head
    of several other pages, which the search ranks beside its source. The download
    budget is spread over the queries: the decoys cannot take the later paragraphs'."""
    from dedup.webcheck.retrieval import RetrievalLimits, retrieve

    web.pages.clear()
    paragraphs = [samples.FREEZING_LINE, samples.HOSPITAL_QUEUE, samples.SCHOOL_LAB]
    sources = [
        web.add_article(f"/nguon/{number}", f"Nguồn {number}", [text])
        for number, text in enumerate(paragraphs)
    ]
    first_sentence = samples.FREEZING_LINE.split(". ")[0] + "."
    for number in range(6):
        web.add_article(
            f"/trich/{number}", f"Trích {number}", [first_sentence, samples.RUBBER_TAPPING]
        )
    fetcher = Fetcher(guard=AddressGuard(allowed=fetch.parse_allowed_networks("127.0.0.0/8")))
    found = []

    retrieval = retrieve(
        " ".join(paragraphs),
        provider=webcheck_provider(),
        fetch=fetcher.fetch,
        on_page=lambda page: found.append(page.url),
        limits=RetrievalLimits(max_queries=3, max_downloads=3, results_per_query=10),
    )

    assert len(retrieval.queries) == 3 and retrieval.downloads == 3
    assert sorted(found) == sorted(sources)
    # A query holds three phrases of its chunk, one from each third.
    assert all(len(query.split()) == 15 for query in retrieval.queries)


# --- downloads: the address guard, redirects, size and type -------------------------------


def test_a_host_that_resolves_to_a_private_address_is_refused(web):
    web.add_article("/trang", "Trang", ["Nội dung trang."])
    closed = Fetcher(guard=AddressGuard(allowed=()))
    for url in (web.url("/trang"), web.url("/trang").replace("127.0.0.1", "localhost")):
        with pytest.raises(FetchRefused) as refused:
            closed.fetch(url)
        assert refused.value.reason == fetch.REFUSED_ADDRESS
    loopback_only = Fetcher(guard=AddressGuard(allowed=fetch.parse_allowed_networks("127.0.0.0/8")))
    for inside in ("http://10.1.2.3/", "http://169.254.169.254/latest/meta-data/", "http://[::1]/"):
        with pytest.raises(FetchRefused) as refused:
            loopback_only.fetch(inside)
        assert refused.value.reason == fetch.REFUSED_ADDRESS
    # A name whose DNS answer is private is refused too, before any connection.
    rebinding = Fetcher(
        guard=AddressGuard(allowed=(), resolve=lambda host, port: ["93.184.216.34", "10.0.0.7"])
    )
    with pytest.raises(FetchRefused) as refused:
        rebinding.fetch("http://trang-tin.example.vn/bai")
    assert refused.value.reason == fetch.REFUSED_ADDRESS
    assert web.downloads == []


def test_a_redirect_to_a_private_address_is_refused_at_that_hop(web):
    guard = AddressGuard(allowed=fetch.parse_allowed_networks("127.0.0.0/8"))
    fetcher = Fetcher(guard=guard)
    web.add_article("/moi", "Trang mới", ["Nội dung của trang sau khi chuyển hướng."])
    web.redirect("/cu", "/moi")
    page = fetcher.fetch(web.url("/cu"))
    assert page.url == web.url("/moi") and "chuyển hướng" in page.text

    web.redirect("/sang-metadata", "http://169.254.169.254/latest/meta-data/")
    web.redirect("/sang-noi-bo", "http://192.168.1.10/quan-tri")
    for path in ("/sang-metadata", "/sang-noi-bo"):
        with pytest.raises(FetchRefused) as refused:
            fetcher.fetch(web.url(path))
        assert refused.value.reason == fetch.REFUSED_ADDRESS
    web.redirect("/vong", "/vong")
    with pytest.raises(FetchRefused) as refused:
        fetcher.fetch(web.url("/vong"))
    assert refused.value.reason == fetch.REFUSED_REDIRECTS


def test_a_huge_or_binary_response_is_cut_off(web):
    fetcher = Fetcher(
        guard=AddressGuard(allowed=None), limits=FetchLimits(max_bytes=200_000, read_timeout=5)
    )
    chunk = ("<p>" + "Nội dung rất dài lặp lại của một trang khổng lồ. " * 200 + "</p>").encode()
    web.add(
        "/khong-lo",
        Page(b"<html><body>" + chunk, repeat=2000),  # ~28 MB declared: refused unread
    )
    with pytest.raises(FetchRefused) as refused:
        fetcher.fetch(web.url("/khong-lo"))
    assert refused.value.reason == fetch.REFUSED_TOO_LARGE
    web.add("/vua-qua-lon", Page(b"<html><body>" + chunk, repeat=30))  # ~420 kB: cut off
    page = fetcher.fetch(web.url("/vua-qua-lon"))
    assert page.truncated and "trang khổng lồ" in page.text
    web.add("/tep.bin", Page(b"\x7fELF\x00\x01" * 1000, content_type="application/octet-stream"))
    with pytest.raises(FetchRefused) as refused:
        fetcher.fetch(web.url("/tep.bin"))
    assert refused.value.reason == fetch.REFUSED_CONTENT_TYPE
    web.add("/gia-html", Page(b"<html>\x00\x00\x00binary", content_type="text/html"))
    with pytest.raises(FetchRefused) as refused:
        fetcher.fetch(web.url("/gia-html"))
    assert refused.value.reason == fetch.REFUSED_BINARY


def test_a_pdf_page_is_read_by_the_attachment_extractor(web):
    fetcher = Fetcher(guard=AddressGuard(allowed=None), extract_file=extract_file_text)
    web.add("/tai-lieu.pdf", Page(minimal_pdf("So tay sang kien kho lanh"), "application/pdf"))
    page = fetcher.fetch(web.url("/tai-lieu.pdf"))
    assert page.content_type == "application/pdf"
    assert "So tay sang kien kho lanh" in page.text


# --- reviewers: the case page and the queue filter ------------------------------------------


def test_the_reviewer_sees_the_web_source_with_link_title_date_and_passages(
    web, hand_in, personas, client_for
):
    item = hand_in(personas.worker_a, WITH_WEB_COPY, title="Cải tiến khoa khám bệnh")
    initiative_web_check(check_id=initiative_check(initiative_id=item.pk).pk)
    client = client_for(personas.reviewer_a)

    body = client.get(f"/duyet/{item.pk}/").content.decode()

    url = web.url("/sang-kien-kho-lanh")
    assert f'href="{url}"' in body
    assert "Sáng kiến tiết kiệm điện kho lạnh" in body
    assert 'data-testid="source-fetched-at"' in body
    assert 'data-testid="source-text"' in body and "<mark" in body
    assert "Đã kiểm tra Internet" in body and "1 nguồn Internet trùng" in body
    queue = client.get("/duyet/?kind=web").content.decode()
    assert "Cải tiến khoa khám bệnh" in queue
    assert "Đã kiểm tra Internet: 1 nguồn" in queue
    assert "Cải tiến khoa khám bệnh" not in client.get("/duyet/?kind=archive").content.decode()


# --- commands ---------------------------------------------------------------------------


def test_similarity_check_web_prints_kind_and_url(web, tmp_path):
    file = tmp_path / "sang-kien.txt"
    file.write_text(WITH_WEB_COPY, encoding="utf-8")
    out = StringIO()
    call_command("similarity_check", str(file), "--web", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["flagged"] is True
    assert report["web"]["state"] == "done" and 1 <= report["web"]["queries"] <= 10
    match = report["matches"][0]
    assert match["kind"] == "web" and match["url"] == web.url("/sang-kien-kho-lanh")
    assert "initiative_id" not in match


def test_add_reference_sources_loads_files_folders_and_url_lists(web, tmp_path, hand_in, personas):
    folder = tmp_path / "nguon"
    folder.mkdir()
    (folder / "so-tay.txt").write_text(
        "Sổ tay sáng kiến\n" + samples.RUBBER_TAPPING, encoding="utf-8"
    )
    (folder / "mau.html").write_bytes(
        b"<html><head><title>M\xe1\xba\xabu s\xc3\xa1ng ki\xe1\xba\xbfn</title></head>"
        b"<body><article><p>" + samples.SCHOOL_LAB.encode() + b"</p></article></body></html>"
    )
    url = web.add_article("/tham-khao", "Trang tham khảo", [samples.FREEZING_LINE])
    urls = tmp_path / "urls.txt"
    urls.write_text(f"# danh sách\n{url}\n", encoding="utf-8")
    out = StringIO()
    call_command(
        "add_reference_sources",
        str(folder),
        "--kind",
        "reference",
        "--urls",
        str(urls),
        "--no-progress",
        stdout=out,
    )
    kept = {w.title: w for w in WebSource.objects.all()}
    assert set(kept) == {"Sổ tay sáng kiến", "Mẫu sáng kiến", "Trang tham khảo"}
    assert {w.kind for w in kept.values()} == {"reference"}
    assert kept["Trang tham khảo"].address == url

    item = hand_in(personas.worker_a, samples.SCHOOL_LAB + " " + samples.HOSPITAL_QUEUE)
    settings_off = initiative_check(initiative_id=item.pk)
    match = settings_off.matches.get(source_kind="reference")
    assert match.flagged and match.source_title == "Mẫu sáng kiến"
