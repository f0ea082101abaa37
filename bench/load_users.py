"""The people of a deadline rush, as locust users (run through bench/load.py).

Three mixes, each a person doing what they do in the last days before a deadline:
- anonymous: home, the public library (browse and search), the leaderboard;
- worker: signs in, opens "my initiatives", saves a draft through the real form,
  then submits it (the submit is what the similarity check then works on);
- reviewer: signs in, opens the queue, opens a case, decides it.

Think time is 1-3 s. The form is filled from the page itself (every input the
page shows keeps its value; empty text gets generated Vietnamese), so a field
added to the form later does not break the benchmark.
"""

from __future__ import annotations

import itertools
import os
import random
import re
from html.parser import HTMLParser

from locust import HttpUser, between, task

PASSWORD = os.environ.get("LOAD_PASSWORD", "bench-matkhau-2026")
WORKERS = int(os.environ.get("LOAD_WORKER_ACCOUNTS", "200"))
REVIEWERS = int(os.environ.get("LOAD_REVIEWER_ACCOUNTS", "20"))
_worker_numbers = itertools.count()
_reviewer_numbers = itertools.count()

SAMPLE_TEXT = (
    "cải tiến quy trình cấp đông tôm giảm hao hụt nguyên liệu tiết kiệm điện năng "
    "công nhân phân xưởng chế biến thủy sản băng chuyền máy bơm nhiệt độ kiểm tra chất lượng "
    "năng suất lao động an toàn vệ sinh thực phẩm đóng gói bảo quản lạnh sửa chữa thiết bị"
)
WORDS = SAMPLE_TEXT.split()
SEARCHES = ["sang kien cai tien", "tiết kiệm điện", "thuy san", "băng chuyền", "an toàn"]


def vietnamese_text(words: int) -> str:
    return " ".join(random.choice(WORDS) for _ in range(words)).capitalize() + "."


class FormReader(HTMLParser):
    """The named controls of the first form whose action matches, with their values."""

    def __init__(self, action_pattern: str):
        super().__init__()
        self.action_pattern = re.compile(action_pattern)
        self.inside = False
        self.done = False
        self.fields: dict[str, str] = {}
        self.kinds: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and not self.done and self.action_pattern.search(attrs.get("action", "")):
            self.inside = True
            return
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind in ("submit", "button", "file"):
                return
            self.fields[name] = attrs.get("value", "")
            self.kinds[name] = kind
        elif tag == "select" and name:
            self._select = name
            self.kinds[name] = "select"
            self.fields.setdefault(name, "")
        elif tag == "option" and self._select:
            value = attrs.get("value", "")
            if "selected" in attrs or (value and not self.fields.get(self._select)):
                self.fields[self._select] = value
        elif tag == "textarea" and name:
            self._textarea = name
            self.kinds[name] = "textarea"
            self.fields[name] = ""

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form" and self.inside:
            self.inside = False
            self.done = True


def read_form(html: str, action_pattern: str) -> tuple[dict[str, str], dict[str, str]]:
    reader = FormReader(action_pattern)
    reader.feed(html)
    return reader.fields, reader.kinds


def fill_initiative_form(fields: dict[str, str], kinds: dict[str, str]) -> dict[str, str]:
    """Complete what a worker would type; keep what the page filled in."""
    data = {name: value.strip() for name, value in fields.items()}
    for name, kind in kinds.items():
        # Authors stay as the page filled them (the worker, 100%); extra rows stay empty.
        # The award is the officers' to write, not a worker's.
        if data.get(name) or "-" in name or name in ("confidential_info", "award"):
            continue
        if kind == "date":
            data[name] = "2026-03-01"
        elif kind == "number":
            data[name] = str(random.randint(5, 900) * 10**6)
        elif kind in ("text", "textarea"):
            data[name] = vietnamese_text(40 if kind == "textarea" else 8)
    data["title"] = "Sáng kiến " + vietnamese_text(8)
    data.pop("is_confidential", None)
    return data


class SignedInUser(HttpUser):
    abstract = True
    wait_time = between(1, 3)
    account = ""

    def on_start(self):
        page = self.client.get("/tai-khoan/dang-nhap/", name="login page")
        fields, _ = read_form(page.text, r"^$|dang-nhap")  # the login form posts to itself
        fields.update(username=self.account, password=PASSWORD)
        with self.client.post(
            "/tai-khoan/dang-nhap/", data=fields, name="login", catch_response=True
        ) as response:
            if "dang-nhap" in response.url:
                response.failure("login refused")


class AnonymousVisitor(HttpUser):
    wait_time = between(1, 3)
    weight = 4

    @task(2)
    def home(self):
        self.client.get("/", name="home")

    @task(4)
    def library(self):
        self.client.get("/sang-kien/thu-vien/", name="library")

    @task(3)
    def library_search(self):
        self.client.get(
            "/sang-kien/thu-vien/", params={"q": random.choice(SEARCHES)}, name="library search"
        )

    @task(3)
    def leaderboard(self):
        self.client.get("/xep-hang/", name="leaderboard")


class Worker(SignedInUser):
    weight = 5

    def on_start(self):
        self.account = f"bench.worker{next(_worker_numbers) % WORKERS}@bench.vn"
        super().on_start()

    @task(3)
    def my_initiatives(self):
        self.client.get("/sang-kien/cua-toi/", name="my initiatives")

    @task(2)
    def draft_then_submit(self):
        page = self.client.get("/sang-kien/moi/", name="new initiative form")
        fields, kinds = read_form(page.text, r"/sang-kien/moi/")
        if "title" not in fields:
            return
        data = fill_initiative_form(fields, kinds)
        data["action"] = "draft"
        with self.client.post(
            "/sang-kien/moi/", data=data, name="save draft", catch_response=True
        ) as response:
            match = re.search(r"/sang-kien/(\d+)/sua/", response.url)
            if not match:
                response.failure("draft not saved")
                return
        edit_url = f"/sang-kien/{match.group(1)}/sua/"
        page = self.client.get(edit_url, name="edit form")
        fields, kinds = read_form(page.text, r"/sang-kien/\d+/sua/")
        data = fill_initiative_form(fields, kinds)
        data["action"] = "submit"
        with self.client.post(edit_url, data=data, name="submit", catch_response=True) as response:
            if not re.search(r"/sang-kien/\d+/$", response.url):
                response.failure("not submitted")


class Reviewer(SignedInUser):
    weight = 1

    def on_start(self):
        self.account = f"bench.reviewer{next(_reviewer_numbers) % REVIEWERS}@bench.vn"
        super().on_start()

    @task(3)
    def queue(self):
        self.client.get("/duyet/", name="review queue")

    @task(2)
    def case_and_decide(self):
        queue = self.client.get("/duyet/", name="review queue")
        cases = re.findall(r'href="/duyet/(\d+)/"', queue.text)
        if not cases:
            return
        pk = random.choice(cases)
        page = self.client.get(f"/duyet/{pk}/", name="review case")
        fields, _ = read_form(page.text, rf"/duyet/{pk}/quyet-dinh/")
        if "csrfmiddlewaretoken" not in fields:
            return
        fields.update(decision="approve", reason="")
        self.client.post(f"/duyet/{pk}/quyet-dinh/", data=fields, name="decide")
