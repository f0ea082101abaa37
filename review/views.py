"""Pages of the moderation queue. Thin: read through selectors, write through services.

htmx requests get the fragment they swap in place (claim cell, decision panel);
plain requests get a redirect or the full page, so everything works without JS.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from core.parsing import query_ids, query_int
from dedup.selectors import webcheck_enabled
from initiatives.models import Field, Initiative
from initiatives.selectors import can_read_confidential_text
from review import selectors, services

PAGE_SIZE = 50


def _reviewer_scope_or_404(user):
    scope = selectors.review_scope(user)
    if scope.is_empty:
        raise Http404
    return scope


def _reason_from(post) -> str:
    """A typed reason wins over one picked from the list of common reasons."""
    return (post.get("reason") or "").strip() or (post.get("common_reason") or "").strip()


@login_required
def queue(request):
    scope = _reviewer_scope_or_404(request.user)
    filters = selectors.QueueFilters.from_params(request.GET, scope=scope)
    queue_, items = selectors.queue_list(viewer=request.user, filters=filters)
    page, counts = selectors.queue_page(
        queue=queue_,
        items=items,
        filters=filters,
        viewer=request.user,
        page_number=request.GET.get("page"),
        per_page=PAGE_SIZE,
    )
    selectors.mark_overdue(page.object_list, queue_.policy_units)
    selectors.mark_web_checks(page.object_list)
    top_level = min((u.level for u in queue_.policy_units), default=1)
    sub_units = scope.units().filter(level__lte=top_level + 1).only("code", "name", "level")
    return render(
        request,
        "review/queue.html",
        {
            "page": page,
            "counts": counts,
            "stats": selectors.reviewer_stats(viewer=request.user, waiting=counts["total"]),
            "filters": filters,
            "web_check_on": webcheck_enabled(),
            "sub_units": sub_units.order_by("level", "code")[:200],
            "fields": Field.objects.filter(is_active=True).only("pk", "name"),
            "age_choices": [
                ("overdue", _("Quá hạn duyệt")),
                ("1", _("Chờ trên 1 ngày")),
                ("3", _("Chờ trên 3 ngày")),
                ("7", _("Chờ trên 7 ngày")),
                ("30", _("Chờ trên 30 ngày")),
            ],
            "policy_units": queue_.policy_units,
            # Translated once, not once per row.
            "overdue_label": _("Quá hạn"),
            "label_web_not_done": _("Chưa kiểm tra được Internet"),
            "label_web_off": _("Không kiểm tra Internet"),
            "label_share": _("Tỷ lệ trùng"),
            "label_sources": _("Số nguồn"),
            "label_submitted": _("Ngày nộp"),
            "common_reasons": services.common_reasons(),
        },
    )


def _case_context(request, initiative: Initiative, *, decide_error=None, claim_error=None):
    case = selectors.case_evidence(viewer=request.user, initiative=initiative)
    previous_pk, next_pk = selectors.queue_neighbours(viewer=request.user, initiative=initiative)
    selectors.mark_overdue([initiative], selectors.policy_units_of(initiative))
    return {
        "case": case,
        "initiative": initiative,
        "previous_pk": previous_pk,
        "next_pk": next_pk,
        "can_decide": initiative.status in services.DECIDABLE_STATES,
        "common_reasons": services.common_reasons(),
        "colleagues": selectors.colleagues(viewer=request.user, initiative=initiative),
        "decide_error": decide_error,
        "claim_error": claim_error,
        "posted": request.POST if request.method == "POST" else {},
        "changes": selectors.case_changes_since_return(initiative=initiative, events=case.events),
    }


@login_required
def case(request, pk: int):
    initiative = selectors.case_get(viewer=request.user, pk=pk)
    return render(request, "review/case.html", _case_context(request, initiative))


@login_required
def case_source(request, pk: int, source_pk: int):
    """A read-only view of a source cited in the case, as far as confidentiality allows."""
    source = selectors.case_source_get(viewer=request.user, pk=pk, source_pk=source_pk)
    can_read = can_read_confidential_text(request.user, source)
    return render(
        request,
        "review/source.html",
        {
            "case_pk": pk,
            "source": source,
            "can_read_text": can_read,
            "authors": list(source.authors.all()) if can_read else [],
        },
    )


@login_required
@require_POST
def decide(request, pk: int):
    initiative = selectors.case_get(viewer=request.user, pk=pk)
    decision = request.POST.get("decision", "")
    try:
        services.review_decide(
            initiative=initiative,
            reviewer=request.user,
            decision=decision,
            reason=_reason_from(request.POST),
        )
    except ValidationError as error:
        initiative = selectors.case_get(viewer=request.user, pk=pk)
        context = _case_context(request, initiative, decide_error=" ".join(error.messages))
        template = "review/_decide.html" if request.htmx else "review/case.html"
        # 200 for htmx so the panel is swapped in place. A plain client gets 400 for
        # bad input (no reason) and 409 when someone else decided first.
        status = 400 if {"reason", "decision"} & set(getattr(error, "error_dict", {})) else 409
        return render(request, template, context, status=200 if request.htmx else status)
    messages.success(request, services.decision_done_message(decision, initiative))
    next_pk = selectors.queue_next_after(viewer=request.user, exclude_pk=pk)
    target = reverse("review-case", args=[next_pk]) if next_pk else reverse("review-queue")
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return redirect(target)


def _back(request, pk: int):
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("review-case", pk=pk)


def _claim_response(request, pk: int, error: str | None):
    if request.htmx:
        initiative = selectors.case_get(viewer=request.user, pk=pk)
        selectors.mark_overdue([initiative], selectors.policy_units_of(initiative))
        template = (
            "review/_claim_cell.html" if request.POST.get("compact") else "review/_claim.html"
        )
        return render(
            request,
            template,
            {
                "initiative": initiative,
                "claim_error": error,
                "colleagues": selectors.colleagues(viewer=request.user, initiative=initiative),
            },
        )
    if error:
        messages.error(request, error)
    return _back(request, pk)


def _claim_action(request, pk: int, service):
    """Claim or release a case the reviewer may see; the refusal's reason if any."""
    initiative = selectors.case_get(viewer=request.user, pk=pk)
    error = None
    try:
        service(initiative=initiative, reviewer=request.user)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    return _claim_response(request, pk, error)


@login_required
@require_POST
def claim(request, pk: int):
    return _claim_action(request, pk, services.review_claim)


@login_required
@require_POST
def release(request, pk: int):
    return _claim_action(request, pk, services.review_release)


@login_required
@require_POST
def assign(request, pk: int):
    initiative = selectors.case_get(viewer=request.user, pk=pk)
    assignee_id = query_int(request.POST, "assignee", low=1)
    assignee = User.objects.filter(pk=assignee_id).first() if assignee_id else None
    error = None
    try:
        services.review_assign(initiative=initiative, assigner=request.user, assignee=assignee)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    return _claim_response(request, pk, error)


@login_required
@require_POST
def bulk_decide(request):
    _reviewer_scope_or_404(request.user)
    ids = query_ids(request.POST, "ids")
    try:
        result = services.review_bulk_decide(
            initiative_ids=ids,
            reviewer=request.user,
            decision=request.POST.get("decision", ""),
            reason=_reason_from(request.POST),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if result.decided:
            messages.success(request, _("Đã xử lý %(n)d sáng kiến.") % {"n": len(result.decided)})
        for pk, message in result.refused:
            messages.error(request, _("Sáng kiến #%(pk)s: %(msg)s") % {"pk": pk, "msg": message})
    query = request.POST.get("query", "")
    return redirect(reverse("review-queue") + (f"?{query}" if query else ""))


@login_required
def policy(request):
    units = list(selectors.policy_units_for_admin(viewer=request.user))
    if not units:
        raise Http404
    errors: dict[str, str] = {}
    if request.method == "POST":
        code = request.POST.get("unit", "")
        unit = next((u for u in units if u.code == code), None)
        if unit is None:
            raise Http404
        limit_days = query_int(request.POST, "review_time_limit_days", low=0)
        try:
            if limit_days is None:
                raise ValidationError({"review_time_limit_days": _(services.MSG_TIME_LIMIT_RANGE)})
            services.review_policy_set(
                unit=unit,
                actor=request.user,
                review_everything=request.POST.get("review_everything") == "on",
                review_time_limit_days=limit_days,
            )
        except ValidationError as error:
            errors[code] = " ".join(error.messages)
            unit.review_everything = request.POST.get("review_everything") == "on"
            unit.entered_limit = request.POST.get("review_time_limit_days", "")[:10]
        else:
            messages.success(request, _("Đã lưu chính sách duyệt của %(unit)s.") % {"unit": unit})
            return redirect("review-policy")
    for unit in units:
        unit.error = errors.get(unit.code)
        unit.entered_limit = getattr(unit, "entered_limit", None)
    return render(request, "review/policy.html", {"units": units})


@login_required
def notices(request):
    rows = list(selectors.notices_for(viewer=request.user)[:100])
    response = render(request, "review/notices.html", {"notices": rows})
    services.notices_mark_read(viewer=request.user)
    return response
