"""The people of a deadline rush, as locust users (run through bench/load.py).

Three mixes, each a person doing what they do in the last days before a deadline:
- anonymous: home, the public library (browse and search), the leaderboard;
- worker: signs in, opens "my initiatives", saves a draft through the real form,
  then submits it (the submit is what the similarity check then works on);
- reviewer: signs in, opens the queue, claims a case nobody holds, opens it and
  decides it (the claim is what keeps two reviewers off the same case).

Think time is 1-3 s (LOAD_THINK_SECONDS). Work time (LOAD_WORK_SECONDS, 20-60 s) is
how long a person spends on a page before posting it: a worker writing in the form
before saving the draft and again before handing it in, a reviewer reading a case's
side-by-side evidence before deciding. 0 posts as fast as any other click (every step
1-3 s apart); "20,60" is a worker who pastes text prepared beforehand into the five
steps, and a reviewer who reads the evidence for under a minute. The form is filled
from the page itself (every input the page shows keeps its value; empty text gets
generated Vietnamese), so a field added to the form later does not break the benchmark.

FastHttpUser (geventhttpclient), not HttpUser (requests): on the two cores the server
shares with locust, requests cost locust several times the CPU per request. Redirects
are not followed: a form post is one request, and the page a browser goes to next is
requested on its own, as a browser does (before, the draft's edit page was loaded twice).
"""

from __future__ import annotations

import itertools
import os
import random
import re

import gevent
from load_forms import fill_initiative_form, read_form
from locust import between, task
from locust.contrib.fasthttp import FastHttpUser

CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SEARCHES = ["sang kien cai tien", "tiết kiệm điện", "thuy san", "băng chuyền", "an toàn"]

PASSWORD = os.environ.get("LOAD_PASSWORD", "bench-matkhau-2026")
WORKERS = int(os.environ.get("LOAD_WORKER_ACCOUNTS", "200"))
REVIEWERS = int(os.environ.get("LOAD_REVIEWER_ACCOUNTS", "20"))
# "1,3" by default; bench/load.py --think 0,0 measures how fast pages can be served.
THINK = tuple(float(n) for n in os.environ.get("LOAD_THINK_SECONDS", "1,3").split(","))
WORK = tuple(float(n) for n in os.environ.get("LOAD_WORK_SECONDS", "20,60").split(","))
_worker_numbers = itertools.count()
_reviewer_numbers = itertools.count()


def _work_on_the_page() -> None:
    """Writing in the form, or reading the evidence, before posting (nothing is sent)."""
    if WORK[1] > 0:
        gevent.sleep(random.uniform(*WORK))


def _location(response) -> str:
    return response.headers.get("Location") or response.headers.get("location") or ""


class SignedInUser(FastHttpUser):
    abstract = True
    wait_time = between(*THINK)
    account = ""

    def on_start(self):
        page = self.client.get("/tai-khoan/dang-nhap/", name="login page")
        fields, _ = read_form(page.text, r"^$|dang-nhap")  # the login form posts to itself
        fields.update(username=self.account, password=PASSWORD)
        with self.client.post(
            "/tai-khoan/dang-nhap/",
            data=fields,
            name="login",
            catch_response=True,
            allow_redirects=False,
        ) as response:
            if response.status_code != 302 or "dang-nhap" in _location(response):
                response.failure("login refused")
                return
        self.client.get("/", name="home (signed in)")


class AnonymousVisitor(FastHttpUser):
    wait_time = between(*THINK)
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
        _work_on_the_page()
        with self.client.post(
            "/sang-kien/moi/",
            data=data,
            name="save draft",
            catch_response=True,
            allow_redirects=False,
        ) as response:
            match = re.search(r"/sang-kien/(\d+)/sua/", _location(response))
            if not match:
                response.failure("draft not saved")
                return
        edit_url = f"/sang-kien/{match.group(1)}/sua/"
        page = self.client.get(edit_url, name="edit form")
        fields, kinds = read_form(page.text, r"/sang-kien/\d+/sua/")
        data = fill_initiative_form(fields, kinds)
        data["action"] = "submit"
        _work_on_the_page()
        with self.client.post(
            edit_url, data=data, name="submit", catch_response=True, allow_redirects=False
        ) as response:
            detail = _location(response)
            if not re.search(r"/sang-kien/\d+/$", detail):
                response.failure("not submitted")
                return
        self.client.get(detail, name="initiative page")


class Reviewer(SignedInUser):
    weight = 1

    def on_start(self):
        self.account = f"bench.reviewer{next(_reviewer_numbers) % REVIEWERS}@bench.vn"
        super().on_start()

    @task(3)
    def queue(self):
        self.client.get("/duyet/", name="review queue")

    @task(2)
    def claim_and_decide(self):
        """As a reviewer works: claim an unclaimed case from the queue, then decide it.

        The claim (the queue's "Nhận xử lý" button) holds the case for this reviewer,
        so two reviewers never decide the same case; a claim lost to a colleague in
        the same instant is answered in the cell, and this reviewer moves on.
        """
        queue = self.client.get("/duyet/", name="review queue")
        unclaimed = [
            match.group(1)
            for row in queue.text.split('data-testid="queue-row"')[1:]
            if 'data-testid="claim-button"' in row
            and (match := re.search(r'href="/duyet/(\d+)/"', row))
        ]
        token = CSRF_TOKEN.search(queue.text)
        if not unclaimed or not token:
            return
        pk = random.choice(unclaimed)
        with self.client.post(
            f"/duyet/{pk}/nhan/",
            data={"compact": "1", "csrfmiddlewaretoken": token.group(1)},
            headers={"HX-Request": "true"},
            name="claim",
            catch_response=True,
        ) as claimed:
            if claimed.status_code != 200:
                claimed.failure(f"claim answered {claimed.status_code}")
                return
            if 'class="field-error"' in claimed.text:
                return  # a colleague claimed it first: a normal outcome, not a failure
        page = self.client.get(f"/duyet/{pk}/", name="review case")
        fields, _ = read_form(page.text, rf"/duyet/{pk}/quyet-dinh/")
        if "csrfmiddlewaretoken" not in fields:
            return
        fields.update(decision="approve", reason="")
        _work_on_the_page()
        self.client.post(f"/duyet/{pk}/quyet-dinh/", data=fields, name="decide")
