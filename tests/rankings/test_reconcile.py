"""Counters that cannot be bypassed: every kind of write, then a full recount agrees.

And the nightly reconciliation finds, repairs and reports drift when something did
write behind the services' back.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.contrib.admin.sites import site as admin_site
from django.core import mail
from django.test import RequestFactory
from openpyxl import Workbook
from rest_framework.test import APIClient

from accounts.tenancy import OFFICER_ROLES, scope_for
from core.models import Notice
from federation.models import OrgUnit
from federation.services import unit_merge, unit_move
from initiatives import importing
from initiatives import services as initiative_services
from initiatives.importing import RowSource, import_initiatives
from initiatives.models import COUNTED_VALID, Field, Initiative, Status
from rankings import periods, selectors, services
from rankings.models import DailyTally, RankingMode, TalliedInitiative
from tests.factories import UnitFactory, UnitKind
from tests.initiatives.submission_helpers import form_data
from tests.rankings.test_counters import snapshot_of_counters

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def complete_row(n: int, unit_code: str, **overrides) -> dict:
    """An import row with every field Decree 13/2012 asks for."""
    values = {
        "external_id": f"SK-{n:05d}",
        "title": f"Sáng kiến cải tiến số {n}",
        "content": f"Mô tả bản chất của sáng kiến số {n}: thay bơm, giảm điện năng.",
        "author_name": "Nguyễn Văn Tâm",
        "author_percent": "100",
        "author_birth_date": "12/04/1985",
        "unit_code": unit_code,
        "submitted_at": "15/03/2025",
        "participant_group": "enterprise",
        "field": "co-khi",
        "summary": "Giảm 12% điện năng của trạm bơm.",
        "problem": "Trạm bơm tốn điện.",
        "application_scope": "Các trạm bơm cùng loại.",
        "first_applied_on": "01/03/2025",
        "benefit_vnd": "20000000",
        "benefit_text": "Tiết kiệm điện.",
    }
    values.update(overrides)
    return values


def xlsx(rows: list[dict]) -> RowSource:
    columns = [*importing.TEMPLATE_COLUMNS]
    for values in rows:
        columns += [c for c in values if c not in columns]
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(columns)
    for values in rows:
        sheet.append([values.get(c, "") for c in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return RowSource(buffer, "sang-kien.xlsx")


def jsonl(rows: list[dict]) -> RowSource:
    text = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows)
    return RowSource(io.BytesIO(text.encode()), "archive.jsonl")


def counters_equal_a_full_recount() -> None:
    incremental = snapshot_of_counters()
    mirror = sorted(TalliedInitiative.objects.values_list("pk", "top_unit_id", "bucket"))
    result = services.tally_reconcile(notify=False)
    assert result.reattributed == 0
    assert result.drift == {"mirror": 0, "daily": 0, "weekly": 0, "monthly": 0}
    assert snapshot_of_counters() == incremental
    assert sorted(TalliedInitiative.objects.values_list("pk", "top_unit_id", "bucket")) == mirror


EVERYTHING = periods.Period("all", periods.PROGRAMME_START, dt.date(2030, 12, 31))


def _recount(field: str) -> tuple[dict, dict]:
    """(valid, handed in) per `field` ("top_unit_id" or "unit_id"), counted straight from
    the initiatives table: the ranking code is not used, so it cannot agree with itself."""
    valid, handed_in = {}, {}
    for key, status in Initiative.objects.exclude(status=Status.DRAFT).values_list(field, "status"):
        handed_in[key] = handed_in.get(key, 0) + 1
        if status in COUNTED_VALID:
            valid[key] = valid.get(key, 0) + 1
    return valid, handed_in


def _today_unit(unit_id: int, merged_into: dict) -> int:
    while unit_id in merged_into:
        unit_id = merged_into[unit_id]
    return unit_id


def _roll_up(counts: dict, merged_into: dict) -> dict:
    rolled: dict = {}
    for unit_id, count in counts.items():
        unit_id = _today_unit(unit_id, merged_into)
        rolled[unit_id] = rolled.get(unit_id, 0) + count
    return rolled


def valid_counts_equal_a_recount(step: str) -> None:
    """The figures rankings and targets read (valid by default, handed in beside) equal a
    count of the initiatives themselves: per top-level unit in both ways of counting, per
    grassroots unit, and in the ranking and progress rows leadership sees."""
    valid, handed_in = _recount("top_unit_id")
    merged_into = dict(
        OrgUnit.objects.exclude(merged_into=None).values_list("pk", "merged_into_id")
    )
    for mode, successors in ((RankingMode.HISTORIC, {}), (RankingMode.TODAY, merged_into)):
        totals = selectors.top_level_totals(period=EVERYTHING, mode=mode)
        assert {k: t.valid for k, t in totals.items() if t.valid} == _roll_up(valid, successors), (
            step,
            mode,
        )
        assert {k: t.submitted for k, t in totals.items() if t.submitted} == _roll_up(
            handed_in, successors
        ), (step, mode)
    today_valid = _roll_up(valid, merged_into)
    ranking = selectors.national_ranking(period=EVERYTHING, category="all")
    assert ranking.measure == "valid"
    assert {r.unit.pk: r.valid for r in ranking.rows if r.valid} == today_valid, step
    root = OrgUnit.objects.get(level=0)
    progress = selectors.progress_rows(unit=root, period=EVERYTHING, as_of=EVERYTHING.end)
    assert {r.counted for r in progress} == {"valid"}
    assert {r.unit.pk: r.count for r in progress if r.count} == today_valid, step
    by_unit_valid, by_unit_handed_in = _recount("unit_id")
    daily_valid, daily_handed_in = {}, {}
    for unit_id, bucket, count in DailyTally.objects.values_list("unit_id", "bucket", "count"):
        if count:
            daily_handed_in[unit_id] = daily_handed_in.get(unit_id, 0) + count
            if bucket in ("valid", "recognised"):
                daily_valid[unit_id] = daily_valid.get(unit_id, 0) + count
    assert daily_valid == by_unit_valid, step
    assert daily_handed_in == by_unit_handed_in, step


def test_every_kind_of_write_keeps_every_counter_equal_to_a_full_recount(
    country, personas, client_for
):
    Field.objects.create(code="co-khi", name="Cơ khí")
    other_field = Field.objects.create(code="dien", name="Điện")
    scope = scope_for(personas.admin, OFFICER_ROLES)

    # The form: a worker hands in through the five-step form.
    response = client_for(personas.worker_a).post(
        "/sang-kien/moi/", form_data(country.grassroots_a, action="submit")
    )
    assert response.status_code in (200, 302)
    from_form = Initiative.objects.get(status=Status.CHECKING)
    valid_counts_equal_a_recount("form")

    # The API: create, then submit.
    api = APIClient()
    api.force_authenticate(personas.officer_a)
    created = api.post(
        "/api/v1/initiatives/",
        {
            "title": "Băng tải phân loại tôm",
            "summary": "Năng suất tăng 30%.",
            "description": "Thay phân loại thủ công bằng băng tải.",
            "problem": "Phân loại chậm.",
            "application_scope": "Nhà máy chế biến tôm.",
            "field": "co-khi",
            "first_applied_on": "2025-03-01",
            "benefit_text": "Giảm 4 lao động mỗi ca.",
            "unit": country.grassroots_a2.code,
            "participant_group": "enterprise",
            "benefit_vnd": "25000000",
            "authors": [
                {
                    "full_name": "Nguyễn Văn Tâm",
                    "contribution_percent": "100",
                    "date_of_birth": "1985-04-12",
                }
            ],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert api.post(f"/api/v1/initiatives/{created.json()['id']}/submit/").status_code == 200
    valid_counts_equal_a_recount("api")

    # XLSX import row by row, then a re-import of the same, handed-in rows with a new
    # date, unit and benefit (this once left the counters behind).
    rows = [complete_row(n, country.grassroots_a.code) for n in range(1, 6)]
    report = import_initiatives(source=xlsx(rows), actor=personas.admin, scope=scope)
    assert report.created == 5, report.errors
    changed = [
        complete_row(
            n,
            country.grassroots_b.code if n % 2 else country.grassroots_a.code,
            submitted_at="20/04/2025",
            benefit_vnd="35000000",
        )
        for n in range(1, 6)
    ]
    report = import_initiatives(source=xlsx(changed), actor=personas.admin, scope=scope)
    assert report.updated == 5, report.errors
    valid_counts_equal_a_recount("xlsx import and re-import")

    # JSONL in bulk, then a bulk re-import that changes them.
    archive = [complete_row(n, country.grassroots_b.code) for n in range(10, 16)]
    report = import_initiatives(source=jsonl(archive), actor=personas.admin, scope=scope, bulk=True)
    assert report.created == 6, report.errors
    for values in archive:
        values.update(unit_code=country.grassroots_a2.code, submitted_at="02/01/2026")
    report = import_initiatives(source=jsonl(archive), actor=personas.admin, scope=scope, bulk=True)
    assert report.updated == 6, report.errors
    valid_counts_equal_a_recount("bulk import and re-import")

    # Status changes: the check's verdict, a reviewer's decisions, recognition.
    checking = list(Initiative.objects.filter(status=Status.CHECKING).order_by("pk"))
    for index, initiative in enumerate(checking):
        initiative_services.initiative_record_check(
            initiative=initiative, flagged=index % 3 == 0, copied_share=0.0, source_count=0
        )
    assert Initiative.objects.filter(status=Status.VALID).exists()
    valid_counts_equal_a_recount("the check's verdicts")
    flagged = list(Initiative.objects.filter(status=Status.FLAGGED).order_by("pk"))
    initiative_services.initiative_decide(
        initiative=flagged[0], reviewer=personas.admin, decision="approve"
    )
    initiative_services.initiative_decide(
        initiative=flagged[1], reviewer=personas.admin, decision="reject", reason="Trùng"
    )
    initiative_services.initiative_decide(
        initiative=flagged[2], reviewer=personas.admin, decision="return", reason="Bổ sung"
    )
    initiative_services.initiative_recognise(
        initiative=Initiative.objects.filter(status=Status.VALID).first(),
        actor=personas.admin,
        award="Giấy khen",
    )
    valid_counts_equal_a_recount("reviewers' decisions and recognition")
    # A returned initiative revised (new unit, benefit) through the form's service.
    initiative_services.initiative_save_draft(
        entered_by=personas.admin,
        data={"unit": country.grassroots_b, "benefit_vnd": Decimal(99_000_000)},
        initiative=flagged[2],
    )
    valid_counts_equal_a_recount("a returned initiative revised")

    # The admin corrects unit, field and benefit.
    model_admin = admin_site._registry[Initiative]
    request = RequestFactory().post("/admin/")
    request.user = personas.admin
    corrected = Initiative.objects.get(pk=from_form.pk)
    corrected.unit = country.grassroots_b
    corrected.field = other_field
    corrected.benefit_vnd = Decimal(7_000_000)
    model_admin.save_model(request, corrected, form=None, change=True)
    assert TalliedInitiative.objects.get(pk=from_form.pk).unit_id == country.grassroots_b.pk
    valid_counts_equal_a_recount("admin edits")

    # The tree changes: a back-dated move and a merger of provinces.
    province_c = UnitFactory(
        code="LDLD94", name="LĐLĐ Sóc Trăng", kind=UnitKind.PROVINCE, parent=country.root
    )
    country.grassroots_a2.refresh_from_db()
    unit_move(
        unit=country.grassroots_a2, new_parent=province_c, effective_date=dt.date(2025, 12, 1)
    )
    valid_counts_equal_a_recount("a back-dated move")
    country.root.refresh_from_db()
    province_new = UnitFactory(
        code="LDLD92-N",
        name="LĐLĐ Cần Thơ (mới)",
        kind=UnitKind.PROVINCE,
        parent=country.root,
        active_from=dt.date(2026, 1, 1),
    )
    province_c.refresh_from_db()
    unit_merge(sources=[province_c], target=province_new, effective_date=dt.date(2026, 1, 1))
    # Handed in on 02/01/2026 under grassroots_a2: now counted for the new province.
    moved = Initiative.objects.filter(external_id="SK-00010").get()
    assert moved.top_unit_id == province_new.pk
    valid_counts_equal_a_recount("a merger")

    counters_equal_a_full_recount()


def test_the_web_check_path_keeps_every_counter_equal_to_a_full_recount(
    country, personas, settings, empty_archive
):
    """With a search engine configured an initiative waits in checking through both
    halves of its check and moves once, to the final verdict: the counters count it
    valid only when both halves passed it (or the archive did and the web could not be
    checked), and always equal a recount."""
    from dedup import services as dedup_services
    from tests.dedup import samples
    from tests.dedup.test_webcheck import PAGE_PARAGRAPHS, WITH_WEB_COPY
    from tests.factories import decree_fields
    from tests.localweb import local_web

    def hand_in(author, text):
        draft = initiative_services.initiative_save_draft(
            entered_by=author,
            data={
                **decree_fields(),
                "title": "Sáng kiến",
                "description": text,
                "participant_group": "enterprise",
                "unit": country.grassroots_a,
                "owner": author,
            },
            authors=[
                initiative_services.AuthorData(author.full_name, Decimal(100), user_id=author.pk)
            ],
        )
        return initiative_services.initiative_submit(initiative=draft, actor=author)

    def status(item):
        item.refresh_from_db()
        return item.status

    with local_web() as web:
        settings.WEBCHECK_SEARXNG_URL = web.base
        settings.WEBCHECK_ALLOW_PRIVATE_ADDRESSES = "127.0.0.0/8"
        web.add_article("/sang-kien-kho-lanh", "Sáng kiến kho lạnh", PAGE_PARAGRAPHS)

        # The archive passes, the web flags: never counted valid.
        web_copy = hand_in(personas.worker_a, WITH_WEB_COPY)
        check = dedup_services.initiative_check(initiative_id=web_copy.pk)
        assert check.flagged is False and status(web_copy) == Status.CHECKING
        valid_counts_equal_a_recount("an archive pass waiting for the web")
        dedup_services.initiative_web_check(check_id=check.pk)
        assert status(web_copy) == Status.FLAGGED
        valid_counts_equal_a_recount("the web flags")

        # Both halves pass.
        clean = hand_in(personas.worker_b, samples.FREEZING_LINE)
        check = dedup_services.initiative_check(initiative_id=clean.pk)
        assert status(clean) == Status.CHECKING
        valid_counts_equal_a_recount("the archive half passed, the web half pending")
        dedup_services.initiative_web_check(check_id=check.pk)
        assert status(clean) == Status.VALID
        valid_counts_equal_a_recount("both halves passed")

        # The search engine is down: after the retries the archive verdict stands,
        # a flag for a copy of the archive, a pass for the rest.
        web.search_status = 503
        archive_copy = hand_in(personas.worker_a, samples.FREEZING_LINE + " " + samples.SCHOOL_LAB)
        own = hand_in(personas.worker_a, samples.HOSPITAL_QUEUE)
        for item in (archive_copy, own):
            check = dedup_services.initiative_check(initiative_id=item.pk)
            assert status(item) == Status.CHECKING
            dedup_services.initiative_web_check_give_up(check_id=check.pk, error="503")
        assert status(archive_copy) == Status.FLAGGED and status(own) == Status.VALID
        valid_counts_equal_a_recount("the web check not done")

    initiative_services.initiative_decide(
        initiative=web_copy, reviewer=personas.admin, decision="approve"
    )
    valid_counts_equal_a_recount("a web-flagged initiative approved")
    counters_equal_a_full_recount()


def test_admin_delete_takes_the_initiative_off_the_counters(country, personas):
    scope = scope_for(personas.admin, OFFICER_ROLES)
    Field.objects.create(code="co-khi", name="Cơ khí")
    import_initiatives(
        source=xlsx([complete_row(1, country.grassroots_a.code)]), actor=personas.admin, scope=scope
    )
    request = RequestFactory().post("/admin/")
    request.user = personas.admin
    admin_site._registry[Initiative].delete_model(request, Initiative.objects.get())
    assert not DailyTally.objects.exclude(count=0).exists()
    counters_equal_a_full_recount()


def test_nightly_reconciliation_repairs_drift_and_tells_the_administrators(
    country, personas, django_capture_on_commit_callbacks
):
    scope = scope_for(personas.admin, OFFICER_ROLES)
    Field.objects.create(code="co-khi", name="Cơ khí")
    import_initiatives(
        source=xlsx([complete_row(n, country.grassroots_a.code) for n in range(1, 4)]),
        actor=personas.admin,
        scope=scope,
    )
    right = snapshot_of_counters()
    # Something wrote behind the services' back: a raw update of the counter and a unit.
    DailyTally.objects.update(count=1000)
    Initiative.objects.filter(external_id="SK-00001").update(top_unit=country.province_b)
    mail.outbox.clear()

    # The report leaves through the outbox once the reconciliation commits.
    with django_capture_on_commit_callbacks(execute=True):
        result = services.tally_reconcile(notify=True)

    assert result.reattributed == 1
    assert result.drift["daily"] >= 1 and result.drift["weekly"] == 0
    assert result.drift["mirror"] == 0
    assert snapshot_of_counters() == right
    notice = Notice.objects.get(recipient=personas.admin)
    assert notice.subject == services.MSG_DRIFT_SUBJECT
    assert "1 sáng kiến tính sai đơn vị" in notice.body
    assert [m.to for m in mail.outbox] == [[personas.admin.email]]
    # A second night finds nothing and tells nobody.
    again = services.tally_reconcile(notify=True)
    assert not again.drifted
    assert Notice.objects.count() == 1


def test_the_reconciliation_is_a_nightly_periodic_task():
    from config.periodic import PERIODIC_TASKS
    from rankings import tasks

    path, crontab, _kwargs = PERIODIC_TASKS["rankings: reconcile the counters"]
    assert path == "rankings.tasks.reconcile_counters"
    assert crontab == {"minute": "15", "hour": "1"}
    assert tasks.reconcile_counters() == {
        "reattributed": 0,
        "drift": {"mirror": 0, "daily": 0, "weekly": 0, "monthly": 0},
    }
