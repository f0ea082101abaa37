import datetime as dt
import threading

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.utils import timezone

from accounts.models import Role
from core.models import Notice
from initiatives.models import Initiative, InitiativeEvent, Status
from review import services
from tests.conftest import require_service
from tests.factories import UserFactory, grant
from tests.review.helpers import make_initiative

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(country, personas):
    return make_initiative(
        unit=country.grassroots_a, owner=personas.worker_a, title="Máy bóc vỏ tôm"
    )


@pytest.fixture
def colleague_a(country):
    user = UserFactory(email="colleague_a@example.vn", full_name="Đồng Nghiệp A")
    grant(user, Role.REVIEWER, country.province_a)
    return user


def test_claim_holds_the_item_and_a_colleague_is_refused(item, personas, colleague_a):
    claimed = services.review_claim(initiative=item, reviewer=personas.reviewer_a)
    assert claimed.claimed_by == personas.reviewer_a
    assert claimed.claimed_until > timezone.now() + dt.timedelta(minutes=services.CLAIM_MINUTES - 1)
    with pytest.raises(ValidationError) as error:
        services.review_claim(initiative=item, reviewer=colleague_a)
    assert "Reviewer A đang xử lý" in error.value.messages[0]
    with pytest.raises(ValidationError) as error:
        services.review_decide(initiative=item, reviewer=colleague_a, decision="approve")
    item.refresh_from_db()
    assert item.status == Status.FLAGGED


def test_a_claim_expires(item, personas, colleague_a):
    services.review_claim(initiative=item, reviewer=personas.reviewer_a)
    Initiative.objects.filter(pk=item.pk).update(
        claimed_until=timezone.now() - dt.timedelta(seconds=1)
    )
    assert services.review_claim(initiative=item, reviewer=colleague_a).claimed_by == colleague_a


def test_release_only_by_the_holder(item, personas, colleague_a):
    services.review_claim(initiative=item, reviewer=personas.reviewer_a)
    with pytest.raises(ValidationError) as error:
        services.review_release(initiative=item, reviewer=colleague_a)
    assert error.value.messages == [services.MSG_NOT_YOUR_CLAIM]
    released = services.review_release(initiative=item, reviewer=personas.reviewer_a)
    assert released.claimed_by is None and released.claimed_until is None


def test_assign_to_a_colleague_of_the_unit_only(item, personas, colleague_a):
    assigned = services.review_assign(
        initiative=item, assigner=personas.reviewer_a, assignee=colleague_a
    )
    assert assigned.claimed_by == colleague_a
    assert Notice.objects.get(recipient=colleague_a).link == f"/duyet/{item.pk}/"
    with pytest.raises(ValidationError) as error:
        services.review_assign(initiative=item, assigner=colleague_a, assignee=personas.reviewer_b)
    assert error.value.message_dict["assignee"] == [services.MSG_ASSIGNEE_NOT_REVIEWER]


def test_out_of_scope_writes_answer_404(item, personas):
    with pytest.raises(Http404):
        services.review_claim(initiative=item, reviewer=personas.reviewer_b)
    with pytest.raises(Http404):
        services.review_decide(initiative=item, reviewer=personas.reviewer_b, decision="approve")
    item.refresh_from_db()
    assert item.status == Status.FLAGGED and item.claimed_by is None


def test_decide_returns_clears_the_claim_and_tells_the_author(
    item, personas, django_capture_on_commit_callbacks
):
    services.review_claim(initiative=item, reviewer=personas.reviewer_a)
    with django_capture_on_commit_callbacks(execute=True):
        decided = services.review_decide(
            initiative=item,
            reviewer=personas.reviewer_a,
            decision="return",
            reason="Thiếu số liệu làm lợi",
        )
    assert decided.status == Status.RETURNED
    assert decided.claimed_by is None
    event = InitiativeEvent.objects.get(initiative=item, to_status=Status.RETURNED)
    assert event.actor == personas.reviewer_a and event.reason == "Thiếu số liệu làm lợi"
    notice = Notice.objects.get(recipient=personas.worker_a)
    assert "trả lại" in notice.subject and "Thiếu số liệu làm lợi" in notice.body
    assert notice.link.endswith(f"/{item.pk}/sua/")  # the revise-and-resubmit page
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [personas.worker_a.email]
    assert "Thiếu số liệu làm lợi" in mail.outbox[0].body


def test_return_and_reject_need_a_reason(item, personas):
    for decision in ("return", "reject"):
        with pytest.raises(ValidationError):
            services.review_decide(
                initiative=item, reviewer=personas.reviewer_a, decision=decision, reason="  "
            )
    with pytest.raises(ValidationError):
        services.review_decide(initiative=item, reviewer=personas.reviewer_a, decision="delete")
    item.refresh_from_db()
    assert item.status == Status.FLAGGED
    assert not Notice.objects.exists()


def test_a_second_decision_is_refused_and_applies_nothing(item, personas, colleague_a):
    services.review_decide(initiative=item, reviewer=personas.reviewer_a, decision="approve")
    with pytest.raises(ValidationError) as error:
        services.review_decide(
            initiative=item, reviewer=colleague_a, decision="reject", reason="Chép"
        )
    assert "người khác vừa xử lý" in error.value.messages[0]
    item.refresh_from_db()
    assert item.status == Status.APPROVED
    assert InitiativeEvent.objects.filter(initiative=item, actor__isnull=False).count() == 1
    assert Notice.objects.filter(recipient=personas.worker_a).count() == 1


def test_bulk_decide_applies_to_each_and_reports_refusals(country, personas, item):
    second = make_initiative(unit=country.grassroots_a2, owner=personas.worker_a, title="Hai")
    done = make_initiative(
        unit=country.grassroots_a, owner=personas.worker_a, title="Đã xong", status=Status.APPROVED
    )
    foreign = make_initiative(unit=country.grassroots_b, owner=personas.worker_b, title="B")
    result = services.review_bulk_decide(
        initiative_ids=[item.pk, second.pk, done.pk, foreign.pk],
        reviewer=personas.reviewer_a,
        decision="reject",
        reason="Chép nguyên văn",
    )
    assert sorted(i.pk for i in result.decided) == sorted([item.pk, second.pk])
    assert {pk for pk, _msg in result.refused} == {done.pk, foreign.pk}
    foreign.refresh_from_db()
    assert foreign.status == Status.FLAGGED
    with pytest.raises(ValidationError):
        services.review_bulk_decide(
            initiative_ids=[], reviewer=personas.reviewer_a, decision="approve"
        )


def test_policy_is_set_by_the_units_admin_only(country, personas):
    unit = services.review_policy_set(
        unit=country.province_a,
        actor=personas.officer_a,
        review_everything=True,
        review_time_limit_days=5,
    )
    assert unit.review_everything and unit.review_time_limit_days == 5
    with pytest.raises(Http404):
        services.review_policy_set(
            unit=country.province_a,
            actor=personas.reviewer_a,
            review_everything=False,
            review_time_limit_days=5,
        )
    with pytest.raises(Http404):
        services.review_policy_set(
            unit=country.province_b,
            actor=personas.officer_a,
            review_everything=False,
            review_time_limit_days=5,
        )
    with pytest.raises(ValidationError) as error:
        services.review_policy_set(
            unit=country.province_a,
            actor=personas.officer_a,
            review_everything=False,
            review_time_limit_days=0,
        )
    assert error.value.message_dict["review_time_limit_days"] == [services.MSG_TIME_LIMIT_RANGE]
    with pytest.raises(ValidationError):
        services.review_policy_set(
            unit=country.upper_a,
            actor=personas.officer_a,
            review_everything=True,
            review_time_limit_days=5,
        )
    country.province_a.refresh_from_db()
    assert country.province_a.review_everything and country.province_a.review_time_limit_days == 5


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_deciding_at_once_apply_one_decision(country, personas, colleague_a):
    """Two threads, two database connections, the same item at the same moment."""
    if connection.vendor != "postgresql":
        require_service("PostgreSQL", "row locks need DATABASE_URL=postgres://...")
    item = make_initiative(unit=country.grassroots_a, owner=personas.worker_a, title="Cùng lúc")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(reviewer, decision, reason):
        from django.db import connection as thread_connection

        try:
            barrier.wait(timeout=10)
            services.review_decide(
                initiative=Initiative(pk=item.pk),
                reviewer=reviewer,
                decision=decision,
                reason=reason,
            )
            outcomes.append("applied")
        except ValidationError:
            outcomes.append("refused")
        finally:
            thread_connection.close()

    threads = [
        threading.Thread(target=decide, args=(personas.reviewer_a, "approve", "")),
        threading.Thread(target=decide, args=(colleague_a, "reject", "Chép nguyên văn")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["applied", "refused"]
    item.refresh_from_db()
    assert item.status in (Status.APPROVED, Status.REJECTED)
    decisions = InitiativeEvent.objects.filter(
        initiative=item, transition__in=["approve", "reject"]
    )
    assert decisions.count() == 1
    assert decisions.get().to_status == item.status
    assert Notice.objects.filter(recipient=personas.worker_a).count() == 1
