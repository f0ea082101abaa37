#!/usr/bin/env python
"""The production smoke run (`make prod-smoke`, run by .ci/run after the tests).

On this machine, what compose runs, without Docker: a fresh PostgreSQL database,
`migrate`, `collectstatic` and gunicorn (gunicorn.conf.py) with the production
settings, a real Celery worker on every queue and beat, mail to a real SMTP server on
127.0.0.1 (aiosmtpd, started here). Plain HTTP on loopback is allowed by
ALLOW_INSECURE_HTTP=1, which only the production settings read.

Then, in Chromium: a demo worker logs in and submits an initiative copied from another
person's; the worker process flags it; a reviewer rejects it; the author's decision
email arrives at the SMTP server; the weekly report task runs. Finally no log holds a
5xx response or a traceback. Everything stops by itself within SMOKE_TIMEOUT seconds
(default 600) and every process started here is stopped.

Environment: DATABASE_URL's server (a database `sangkien_smoke_<pid>` is created and
dropped beside it), SMOKE_REDIS_URL or REDIS_URL (that Redis database is flushed),
CHROMIUM_PATH.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import Request, urlopen

sys.path.insert(0, str(Path(__file__).resolve().parent))

from processes import BIN, ROOT, Processes, free_port, production_env, wait_for  # noqa: E402

LOGS = ROOT / "var" / "smoke"
TIMEOUT = int(os.environ.get("SMOKE_TIMEOUT", 600))
WORKER_LOGIN, REVIEWER_LOGIN, PASSWORD = "congnhan@demo.vn", "duyet.cantho@demo.vn", "demo"
REASON = "Nội dung chép gần như nguyên văn sáng kiến đã được công nhận của người khác."


def say(message: str) -> None:
    print(f"[smoke {time.strftime('%H:%M:%S')}] {message}", flush=True)


class Mailbox:
    """aiosmtpd handler: keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], str]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append((list(envelope.rcpt_tos), envelope.content.decode("utf-8", "replace")))
        return "250 Message accepted for delivery"


class Smoke:
    def __init__(self, stack: ExitStack) -> None:
        self.stack = stack
        base = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/x"))
        if base.scheme not in {"postgres", "postgresql"}:
            raise SystemExit("DATABASE_URL must name a PostgreSQL server")
        self.database = f"sangkien_smoke_{os.getpid()}"
        server = f"{base.scheme}://{base.netloc}"
        self.admin_dsn = f"{server}/postgres".replace("postgres://", "postgresql://", 1)
        self.dsn = f"{server}/{self.database}".replace("postgres://", "postgresql://", 1)
        self.redis_url = os.environ.get("SMOKE_REDIS_URL") or os.environ.get(
            "REDIS_URL", "redis://127.0.0.1:6379/15"
        )
        self.http_port, self.smtp_port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.http_port}"
        self.env = production_env(
            database_url=f"{server}/{self.database}",
            redis_url=self.redis_url,
            http_port=self.http_port,
            email_url=f"smtp://127.0.0.1:{self.smtp_port}",
        ) | {"GUNICORN_WORKERS": "2"}
        self.run = Processes(stack, self.env, LOGS)
        self.mailbox = Mailbox()

    # The pieces ---------------------------------------------------------------------

    def sql(self, query: str, *params, dsn: str | None = None, autocommit=False):
        import psycopg

        with psycopg.connect(dsn or self.dsn, autocommit=autocommit) as connection:
            cursor = connection.execute(query, params)
            return cursor.fetchall() if cursor.description else None

    def fresh_database_and_redis(self) -> None:
        import redis

        self.sql(f'DROP DATABASE IF EXISTS "{self.database}"', dsn=self.admin_dsn, autocommit=True)
        self.sql(f'CREATE DATABASE "{self.database}"', dsn=self.admin_dsn, autocommit=True)
        self.stack.callback(self.drop_database)
        redis.Redis.from_url(self.redis_url).flushdb()

    def drop_database(self) -> None:
        self.sql(
            f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)',
            dsn=self.admin_dsn,
            autocommit=True,
        )

    def manage(self, *args: str, **extra_env: str) -> None:
        say("manage.py " + " ".join(args))
        env = {**self.env, **extra_env}
        log = LOGS / f"manage-{args[0]}.log"
        with log.open("w") as out:
            result = subprocess.run(
                [str(BIN / "python"), "manage.py", *args],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=300,
            )
        if result.returncode:
            raise AssertionError(f"manage.py {' '.join(args)} failed:\n{log.read_text()[-3000:]}")

    def prepare(self) -> None:
        self.manage("migrate", "--noinput")
        # seed_demo is for laptops and refuses without DEBUG=1: run it in a step of its
        # own, before the production processes start, with the laptop settings.
        self.manage(
            "seed_demo",
            DJANGO_SETTINGS_MODULE="config.settings.base",
            DEBUG="1",
            REDIS_URL="",
            CELERY_TASK_ALWAYS_EAGER="1",
        )
        self.manage("rebuild_similarity_index")
        self.manage("setup_periodic_tasks")
        self.manage("collectstatic", "--noinput", "-v0")

    def start_smtp(self) -> None:
        from aiosmtpd.controller import Controller

        controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.smtp_port)
        controller.start()
        self.stack.callback(controller.stop)
        say(f"SMTP on 127.0.0.1:{self.smtp_port}")

    def start_services(self) -> None:
        self.run.gunicorn()
        self.run.worker(node="smoke@%h", concurrency=2)
        self.run.beat()

        from celery import Celery

        broker = Celery(broker=self.redis_url)

        def worker_answers():
            self.run.all_alive()
            return broker.control.ping(timeout=1)

        # The worker first: /healthz answers 500 (and logs why) until a worker answers.
        wait_for("the worker to answer a ping", worker_answers, 120)

        def healthy():
            self.run.all_alive()
            request = Request(f"{self.url}/healthz", headers={"Accept": "application/json"})
            try:
                with urlopen(request, timeout=10) as response:
                    return response.status == 200
            except OSError:
                return False

        wait_for("/healthz to answer 200 (database, cache, worker on every queue)", healthy, 120)
        say("healthy: " + urlopen(Request(f"{self.url}/healthz?format=json")).read().decode())

    # The story ----------------------------------------------------------------------

    def original_to_copy(self) -> tuple[int, dict]:
        """An approved, public initiative none of whose authors is the demo worker."""
        fields = ("title", "summary", "problem", "description", "improvements")
        rows = self.sql(
            f"SELECT i.id, {', '.join('i.' + f for f in fields)} FROM initiatives_initiative i"
            " WHERE i.status IN ('approved', 'valid') AND NOT i.is_confidential"
            " AND NOT EXISTS (SELECT 1 FROM initiatives_initiativeauthor a"
            "   JOIN accounts_user u ON u.id = a.user_id"
            "   WHERE a.initiative_id = i.id AND u.email = %s)"
            " AND (i.owner_id IS NULL OR i.owner_id NOT IN"
            "   (SELECT id FROM accounts_user WHERE email = %s))"
            " ORDER BY length(i.problem) + length(i.description) + length(i.improvements) DESC"
            " LIMIT 1",
            WORKER_LOGIN,
            WORKER_LOGIN,
        )
        assert rows, "the demo data has no approved initiative to copy"
        return rows[0][0], dict(zip(fields, rows[0][1:], strict=True))

    def browser_story(self) -> None:
        from playwright.sync_api import sync_playwright

        chromium = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
        source_id, text = self.original_to_copy()
        title = f"{text['title']} (bản sao kiểm thử)"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium,
                headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            try:
                page = browser.new_context(locale="vi-VN").new_page()
                page.set_default_timeout(20_000)
                self.log_in(page, WORKER_LOGIN)
                say(f"worker submits a copy of initiative {source_id}")
                page.goto(f"{self.url}/sang-kien/moi/")
                page.locator('[name="title"]').fill(title)
                page.locator('[name="field"]').select_option(index=1)
                page.locator('[name="participant_group"]').select_option("enterprise")
                page.get_by_role("button", name="Tiếp").click()
                page.locator('[name="problem"]').fill(text["problem"])
                page.locator('[name="description"]').fill(text["description"])
                page.locator('[name="improvements"]').fill(text["improvements"] or "Như mô tả.")
                page.locator('[name="application_scope"]').fill("Các nhà máy cùng ngành.")
                page.get_by_role("button", name="Tiếp").click()
                page.locator('[name="first_applied_on"]').fill("2025-06-01")
                page.locator('[name="summary"]').fill(text["summary"] or text["title"])
                page.locator('[name="benefit_vnd"]').fill("120000000")
                page.locator('[name="benefit_text"]').fill("Tiết kiệm chi phí.")
                page.get_by_role("button", name="Tiếp").click()
                page.get_by_role("button", name="Tiếp").click()
                page.get_by_role("button", name="Nộp sáng kiến").click()
                page.wait_for_selector('[data-testid="timeline"]')

                (initiative_id,) = wait_for(
                    "the submission to be saved",
                    lambda: self.sql(
                        "SELECT id FROM initiatives_initiative WHERE title = %s", title
                    ),
                    20,
                )[0]
                status = wait_for(
                    "the worker to check the copy",
                    lambda: (
                        self.status(initiative_id) not in {"submitted", "checking"}
                        and self.status(initiative_id)
                    ),
                    120,
                )
                assert status == "flagged", f"the copy came back {status!r}, not flagged"
                say(f"initiative {initiative_id} flagged by the worker")

                reviewer = browser.new_context(locale="vi-VN").new_page()
                reviewer.set_default_timeout(20_000)
                self.log_in(reviewer, REVIEWER_LOGIN)
                reviewer.goto(f"{self.url}/duyet/{initiative_id}/")
                reviewer.locator('input[name="decision"][value="reject"]').check()
                reviewer.locator("#reason").fill(REASON)
                reviewer.get_by_test_id("decide-submit").click()
                wait_for(
                    "the rejection to be saved",
                    lambda: self.status(initiative_id) == "rejected",
                    20,
                )
                say("reviewer rejected it")
            finally:
                browser.close()

        def decision_mail():
            return [body for to, body in self.mailbox.messages if WORKER_LOGIN in to]

        mails = wait_for("the decision email at the SMTP server", decision_mail, 90)
        assert any(REASON in body and self.url in body for body in mails), mails
        say(f"decision email received ({len(mails)} for {WORKER_LOGIN})")

    def log_in(self, page, login: str) -> None:
        page.goto(f"{self.url}/tai-khoan/dang-nhap/")
        page.get_by_label("Email hoặc số điện thoại").fill(login)
        page.get_by_label("Mật khẩu").fill(PASSWORD)
        page.locator("main").get_by_role("button", name="Đăng nhập").click()
        page.wait_for_url(f"{self.url}/")

    def status(self, initiative_id: int) -> str:
        return self.sql("SELECT status FROM initiatives_initiative WHERE id = %s", initiative_id)[
            0
        ][0]

    def weekly_reports(self) -> None:
        before = self.sql("SELECT count(*) FROM rankings_weeklyreport")[0][0]
        say("queue the weekly reports (celery call, as beat does on Monday)")
        subprocess.run(
            [
                str(BIN / "celery"),
                "-A",
                "config",
                "call",
                "rankings.tasks.generate_weekly_reports",
            ],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
            timeout=60,
        )
        units = self.sql(
            "SELECT count(*) FROM federation_orgunit WHERE level = 1 AND active_to IS NULL"
        )[0][0]
        wait_for(
            f"{units} weekly reports",
            lambda: self.sql("SELECT count(*) FROM rankings_weeklyreport")[0][0] >= before + units,
            180,
            interval=1,
        )
        say(f"{units} weekly reports written")

    def logs_are_clean(self) -> None:
        problems = []
        for log in sorted(LOGS.glob("*.log")):
            for number, line in enumerate(log.read_text(errors="replace").splitlines(), 1):
                if "Traceback" in line or re.search(r'" 5\d\d \d', line):
                    problems.append(f"{log.name}:{number}: {line}")
        assert not problems, "errors in the logs:\n" + "\n".join(problems[:40])
        say("no 5xx and no traceback in " + ", ".join(p.name for p in sorted(LOGS.glob("*.log"))))


def main() -> int:
    def out_of_time(signum, frame):
        raise TimeoutError(f"the smoke run did not finish within {TIMEOUT} s")

    signal.signal(signal.SIGALRM, out_of_time)
    signal.alarm(TIMEOUT)
    LOGS.mkdir(parents=True, exist_ok=True)
    for old in LOGS.glob("*"):
        old.unlink()
    started = time.monotonic()
    with ExitStack() as stack:
        smoke = Smoke(stack)
        smoke.fresh_database_and_redis()
        smoke.prepare()
        smoke.start_smtp()
        smoke.start_services()
        smoke.browser_story()
        smoke.weekly_reports()
    smoke.logs_are_clean()  # after every process stopped: shutdowns are logged too
    signal.alarm(0)
    say(f"passed in {time.monotonic() - started:.0f} s (logs in {LOGS.relative_to(ROOT)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
