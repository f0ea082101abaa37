"""Reads of the moderation queue: what a reviewer has to look at, and the evidence.

Everything starts from the reviewer's scope (`scope_for(viewer, REVIEW_ROLES)`):
an initiative outside it is not in the queue and answers 404 by URL and API.
The queue holds the flagged initiatives of the subtree, plus the ones that
passed the check where the unit directly under the confederation has chosen to
review everything.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import statistics
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Value, Window
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from accounts.models import RoleAssignment
from accounts.tenancy import REVIEW_ROLES, Scope, scope_for, subtree_q
from core.models import Notice
from core.parsing import query_int
from dedup.models import QUOTATION_KINDS, SimilarityCheck, SimilarityMatch
from federation.models import OrgUnit
from initiatives import fields
from initiatives.models import Initiative, InitiativeEvent, Status
from initiatives.selectors import confidential_text_readable_q

DEFAULT_TIME_LIMIT_DAYS = 7
DECISION_TRANSITIONS = ("approve", "reject", "return_for_revision")
AGE_CHOICES = ("overdue", "1", "3", "7", "30")
MATCH_KINDS = {
    "archive": (SimilarityMatch.SourceKind.INITIATIVE,),
    # Pages of the Internet and the known sources an operator loaded from it.
    "web": (SimilarityMatch.SourceKind.WEB, SimilarityMatch.SourceKind.REFERENCE),
}
WEB_KINDS = frozenset({SimilarityMatch.SourceKind.WEB, SimilarityMatch.SourceKind.REFERENCE})


def review_scope(viewer) -> Scope:
    return scope_for(viewer, REVIEW_ROLES)


@dataclass
class QueueFilters:
    unit: OrgUnit | None = None
    field_id: int | None = None
    match_kind: str = ""
    age: str = ""
    mine: bool = False

    @property
    def is_active(self) -> bool:
        return bool(
            self.unit is not None or self.field_id or self.match_kind or self.age or self.mine
        )

    @classmethod
    def from_params(cls, params, *, scope: Scope) -> QueueFilters:
        """Read filters from a query string; anything unknown or out of scope is ignored."""
        filters = cls()
        code = (params.get("unit") or "").strip()
        if code:
            filters.unit = scope.units().filter(code=code).first()
        filters.field_id = query_int(params, "field", low=1)
        if params.get("kind") in MATCH_KINDS:
            filters.match_kind = params["kind"]
        if params.get("age") in AGE_CHOICES:
            filters.age = params["age"]
        filters.mine = params.get("mine") == "1"
        return filters


@dataclass
class Queue:
    scope: Scope
    policy_units: list[OrgUnit]
    items: QuerySet[Initiative]
    overdue_q: Q = field(default_factory=Q)


def _overdue_q(policy_units: list[OrgUnit], now) -> Q:
    """Waiting longer than the time limit of the level-1 unit the item belongs to."""
    condition = Q(pk__in=[])
    for unit in policy_units:
        limit = unit.review_time_limit_days or DEFAULT_TIME_LIMIT_DAYS
        condition |= subtree_q([unit], "unit") & Q(submitted_at__lt=now - dt.timedelta(days=limit))
    return condition


def queue_base(*, viewer) -> Queue:
    """Every initiative waiting for the viewer's decision, unsorted and unfiltered."""
    scope = review_scope(viewer)
    policy_units = [] if scope.is_empty else list(_policy_units(scope))
    waiting = Q(status=Status.FLAGGED)
    everything = [u for u in policy_units if u.review_everything]
    if everything:
        waiting |= Q(status=Status.VALID) & subtree_q(everything, "unit")
    items = Initiative.objects.filter(scope.unit_q("unit")).filter(waiting)
    return Queue(
        scope=scope,
        policy_units=policy_units,
        items=items,
        overdue_q=_overdue_q(policy_units, timezone.now()),
    )


def _policy_units(scope: Scope) -> QuerySet[OrgUnit]:
    """The units directly under the confederation whose policy governs the scope.

    A reviewer placed below level 1 is governed by the level-1 unit above them."""
    return OrgUnit.objects.filter(Q(level=1) & (scope.unit_q() | scope.enclosing_q())).order_by(
        "code"
    )


def queue_filter(queue: Queue, filters: QueueFilters, *, viewer) -> QuerySet[Initiative]:
    items = queue.items
    if filters.unit is not None:
        items = items.filter(subtree_q([filters.unit], "unit"))
    if filters.field_id:
        items = items.filter(field_id=filters.field_id)
    if filters.match_kind:
        # Only matches of the latest finished check count: no newer finished check exists.
        # (Checks are created in time order, so a greater id is a newer check.)
        newer_check = SimilarityCheck.objects.filter(
            initiative_id=OuterRef("initiative_id"),
            state=SimilarityCheck.State.DONE,
            pk__gt=OuterRef("similarity_check_id"),
        )
        items = items.filter(
            Exists(
                SimilarityMatch.objects.filter(
                    initiative_id=OuterRef("pk"),
                    source_kind__in=MATCH_KINDS[filters.match_kind],
                ).filter(~Exists(newer_check))
            )
        )
    if filters.age == "overdue":
        items = items.filter(queue.overdue_q)
    elif filters.age:
        items = items.filter(submitted_at__lt=timezone.now() - dt.timedelta(days=int(filters.age)))
    if filters.mine:
        items = items.filter(claimed_by=viewer, claimed_until__gt=timezone.now())
    return items


def queue_sorted(items: QuerySet[Initiative]) -> QuerySet[Initiative]:
    """Riskiest first (share copied, then number of sources), then the longest waiting."""
    return items.order_by(
        F("copied_share").desc(nulls_last=True),
        F("copied_source_count").desc(),
        F("submitted_at").asc(),
        "pk",
    )


# What a queue row shows: sorting 10,000 narrow rows is much cheaper than wide ones.
QUEUE_ROW_FIELDS = (
    "id",
    "title",
    "status",
    "submitted_at",
    "copied_share",
    "copied_source_count",
    "claimed_until",
    "unit__id",
    "unit__code",
    "unit__name",
    "unit__tree_id",
    "unit__lft",
    "unit__rght",
    "field__id",
    "field__name",
    "claimed_by__id",
    "claimed_by__full_name",
)


def queue_list(*, viewer, filters: QueueFilters | None = None) -> tuple[Queue, QuerySet]:
    """The queue as the reviewer sees it: scoped, filtered, sorted, ready to page."""
    queue = queue_base(viewer=viewer)
    items = queue_filter(queue, filters or QueueFilters(), viewer=viewer)
    items = (
        queue_sorted(items).select_related("unit", "field", "claimed_by").only(*QUEUE_ROW_FIELDS)
    )
    return queue, items


def _count_expressions(queue: Queue, *, viewer) -> dict[str, Count]:
    now = timezone.now()
    return {
        "total": Count("pk"),
        "flagged": Count("pk", filter=Q(status=Status.FLAGGED)),
        "valid": Count("pk", filter=Q(status=Status.VALID)),
        "claimed": Count("pk", filter=Q(claimed_until__gt=now)),
        "mine": Count("pk", filter=Q(claimed_by=viewer, claimed_until__gt=now)),
        "overdue": Count("pk", filter=queue.overdue_q),
    }


def queue_counts(queue: Queue, *, viewer) -> dict[str, int]:
    """Counts per state of the whole queue (not only the filtered page), in one query."""
    return queue.items.aggregate(**_count_expressions(queue, viewer=viewer))


def queue_page(
    *, queue: Queue, items: QuerySet, filters: QueueFilters, viewer, page_number, per_page: int
) -> tuple[Page, dict[str, int]]:
    """One page of the queue and the counts per state.

    Unfiltered, the page's rows carry the counts as window aggregates (COUNT(...) OVER ()),
    so the 10,000 waiting rows are read once instead of twice (list, then counts).
    Filtered, the counts (of the whole queue) and the page's total differ: two queries.
    """
    if filters.is_active:
        counts = queue_counts(queue, viewer=viewer)
        return Paginator(items, per_page).get_page(page_number), counts
    try:
        number = max(1, int(page_number or 1))
    except (TypeError, ValueError):
        number = 1
    offset = (number - 1) * per_page
    windows = {
        f"window_{name}": Window(expression)
        for name, expression in _count_expressions(queue, viewer=viewer).items()
    }
    rows = list(items.annotate(**windows)[offset : offset + per_page])
    if not rows:  # an empty queue, or a page past the end: count, then clamp the page
        counts = queue_counts(queue, viewer=viewer)
        paginator = Paginator(items, per_page)
        paginator.count = counts["total"]
        return paginator.get_page(page_number), counts
    counts = {
        name: getattr(rows[0], f"window_{name}")
        for name in _count_expressions(queue, viewer=viewer)
    }
    paginator = Paginator(items, per_page)
    paginator.count = counts["total"]  # cached_property: set, never recounted
    return Page(rows, number, paginator), counts


def mark_overdue(items, policy_units: list[OrgUnit], now=None) -> None:
    """Set `.is_overdue` and `.claim_active` on the page's rows (no query).

    The limit is that of the level-1 unit whose subtree holds the item's unit today,
    the same rule as `_overdue_q`; rows need `unit` loaded."""
    now = now or timezone.now()
    for item in items:
        limit = next(
            (
                u.review_time_limit_days or DEFAULT_TIME_LIMIT_DAYS
                for u in policy_units
                if u.tree_id == item.unit.tree_id and u.lft <= item.unit.lft <= u.rght
            ),
            DEFAULT_TIME_LIMIT_DAYS,
        )
        item.waiting_days = (now - item.submitted_at).days if item.submitted_at else 0
        item.is_overdue = bool(
            item.submitted_at and item.submitted_at < now - dt.timedelta(days=limit)
        )
        item.claim_active = bool(
            item.claimed_by_id and item.claimed_until and item.claimed_until > now
        )


def mark_web_checks(items) -> None:
    """Set `.web_state` (of the latest finished check: done, not_done, off, …) and
    `.web_sources` (its web and reference matches) on the page's rows, in one query,
    so that the queue says which rows were also checked against the Internet."""
    by_initiative = {item.pk: item for item in items}
    for item in items:
        item.web_state, item.web_sources = "", 0
    rows = (
        SimilarityCheck.objects.filter(
            initiative_id__in=list(by_initiative), state=SimilarityCheck.State.DONE
        )
        .order_by("initiative_id", "-started_at", "-id")
        .annotate(web_sources=Count("matches", filter=Q(matches__source_kind__in=WEB_KINDS)))
        .values_list("initiative_id", "web_state", "web_sources")
    )
    seen: set[int] = set()
    for initiative_id, web_state, web_sources in rows:
        if initiative_id in seen:
            continue
        seen.add(initiative_id)
        item = by_initiative[initiative_id]
        item.web_state, item.web_sources = web_state, web_sources


def policy_units_of(initiative: Initiative) -> list[OrgUnit]:
    """The level-1 unit above the initiative's unit today (its policy and time limit)."""
    return list(OrgUnit.objects.filter(Scope.of_units([initiative.unit]).enclosing_q(), level=1))


def queue_neighbours(*, viewer, initiative: Initiative) -> tuple[int | None, int | None]:
    """The items before and after `initiative` in the default queue order (j/k).

    Keyset over the sort key (share copied, sources, age, id): two LIMIT 1 queries,
    however long the queue. An item no longer waiting has no place in it: no
    previous, and the riskiest waiting item as the next.
    """
    queue = queue_base(viewer=viewer)
    items = queue.items.annotate(share_key=Coalesce("copied_share", Value(-1.0)))
    share = -1.0 if initiative.copied_share is None else initiative.copied_share
    sources, submitted, pk = (
        initiative.copied_source_count,
        initiative.submitted_at,
        initiative.pk,
    )
    if initiative.status not in (Status.FLAGGED, Status.VALID) or submitted is None:
        return None, queue_sorted(queue.items).values_list("pk", flat=True).first()
    after = (
        Q(share_key__lt=share)
        | Q(share_key=share, copied_source_count__lt=sources)
        | Q(share_key=share, copied_source_count=sources, submitted_at__gt=submitted)
        | Q(share_key=share, copied_source_count=sources, submitted_at=submitted, pk__gt=pk)
    )
    before = (
        Q(share_key__gt=share)
        | Q(share_key=share, copied_source_count__gt=sources)
        | Q(share_key=share, copied_source_count=sources, submitted_at__lt=submitted)
        | Q(share_key=share, copied_source_count=sources, submitted_at=submitted, pk__lt=pk)
    )
    following = (
        items.filter(after)
        .order_by("-share_key", "-copied_source_count", "submitted_at", "pk")
        .values_list("pk", flat=True)
        .first()
    )
    previous = (
        items.filter(before)
        .order_by("share_key", "copied_source_count", "-submitted_at", "-pk")
        .values_list("pk", flat=True)
        .first()
    )
    return previous, following


def queue_next_after(*, viewer, exclude_pk: int) -> int | None:
    """The next item to open after a decision: the riskiest one nobody else holds."""
    _queue, items = queue_list(viewer=viewer)
    now = timezone.now()
    free = items.exclude(pk=exclude_pk).exclude(Q(claimed_until__gt=now) & ~Q(claimed_by=viewer))
    return free.values_list("pk", flat=True).first()


def case_get(*, viewer, pk: int) -> Initiative:
    """One initiative the viewer may review (any state, for the history), or 404."""
    scope = review_scope(viewer)
    initiative = (
        Initiative.objects.filter(scope.unit_q("unit"), pk=pk)
        .exclude(status=Status.DRAFT)
        .select_related("unit", "top_unit", "field", "claimed_by", "owner", "entered_by")
        .first()
    )
    if initiative is None:
        raise Http404
    return initiative


@dataclass
class Segment:
    text: str
    marked: bool = False
    first: bool = False


def highlight(text: str, spans) -> list[Segment]:
    """Split `text` into plain and marked segments; overlapping spans are merged."""
    cleaned = sorted((max(0, int(s)), min(len(text), int(e))) for s, e in spans if int(e) > int(s))
    merged: list[list[int]] = []
    for start, end in cleaned:
        if start >= len(text):
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    segments: list[Segment] = []
    cursor = 0
    for index, (start, end) in enumerate(merged):
        if start > cursor:
            segments.append(Segment(text[cursor:start]))
        segments.append(Segment(text[start:end], marked=True, first=index == 0))
        cursor = end
    if cursor < len(text):
        segments.append(Segment(text[cursor:]))
    return segments


@dataclass
class SourceEvidence:
    match: SimilarityMatch
    source: Initiative | None
    text_segments: list[Segment] | None
    own_segments: list[Segment]
    authors: list[str]
    hidden: bool
    visible_to: OrgUnit | None
    source_text: str | None = None

    @property
    def quotation(self) -> bool:
        """A law or form text quoted on purpose: shown, never copying."""
        return self.match.source_kind in QUOTATION_KINDS

    @property
    def ocr_files(self) -> list[str]:
        """Attachments whose OCR-read text (scans, photos) holds a copied passage."""
        return sorted({name for p in self.match.passages for name in p.get("ocr", ())})

    @property
    def is_web(self) -> bool:
        return self.match.source_kind in WEB_KINDS

    @property
    def link(self) -> str:
        """The web source's address, only if it is plain http(s) (never javascript: etc.)."""
        url = self.match.source_url or ""
        return url if url.lower().startswith(("http://", "https://")) else ""


@dataclass
class Case:
    initiative: Initiative
    check: SimilarityCheck | None
    segments: list[Segment]
    sources: list[SourceEvidence]
    events: list[InitiativeEvent]
    authors: list[str]

    @property
    def web_source_count(self) -> int:
        """Web pages and reference sources the check matched (shown with the web state)."""
        return sum(1 for source in self.sources if source.is_web)


def _latest_checks(initiative_ids) -> dict[int, SimilarityCheck]:
    """The latest finished check of each initiative, in one query."""
    rows = (
        SimilarityCheck.objects.filter(
            initiative_id__in=initiative_ids, state=SimilarityCheck.State.DONE
        )
        .order_by("initiative_id", "-started_at", "-id")
        .only(
            "id",
            "initiative_id",
            "checked_text",
            "started_at",
            "finished_at",
            "flagged",
            "web_state",
            "web_queries",
            "web_downloads",
            "web_finished_at",
        )
    )
    latest: dict[int, SimilarityCheck] = {}
    for check in rows:
        latest.setdefault(check.initiative_id, check)
    return latest


def case_evidence(*, viewer, initiative: Initiative) -> Case:
    """The initiative's checked text beside each source, passages marked on both sides.

    A confidential source shows only that it exists and which unit's reviewers may
    read it: its text never leaves the database here.
    """
    check = _latest_checks([initiative.pk]).get(initiative.pk)
    matches = (
        list(
            check.matches.select_related("source_initiative__unit", "source_initiative__top_unit")
            .prefetch_related("source_initiative__authors")
            .order_by("-coverage", "-score", "pk")
        )
        if check
        else []
    )
    readable = _confidential_readable(viewer, matches)
    for match in matches:
        match.hidden = _is_hidden(match, readable)
    source_ids = [
        m.source_initiative_id for m in matches if m.source_initiative_id and not m.hidden
    ]
    source_checks = _latest_checks(source_ids)
    own_text = check.checked_text if check else ""
    all_spans = [(p["start"], p["end"]) for m in matches for p in m.passages]
    sources = []
    for match in matches:
        source = match.source_initiative
        hidden = match.hidden
        text_segments = None
        source_text = None
        if source is not None and not hidden:
            # The text the offsets index: kept with the match since issue 15 (also
            # for sources indexed by a rebuild); older matches fall back on the
            # source's latest checked text.
            source_check = source_checks.get(source.pk)
            source_text = match.source_text or (
                source_check.checked_text if source_check is not None else None
            )
            if source_text:
                text_segments = highlight(
                    source_text,
                    [(p["source_start"], p["source_end"]) for p in match.passages],
                )
        if (
            match.source_kind in QUOTATION_KINDS or match.source_kind in WEB_KINDS
        ) and match.source_text:
            # Quoted texts and web pages: the text as fetched (the cached page) is
            # what the offsets index and what the reviewer compares.
            source_text = match.source_text
            text_segments = highlight(
                source_text, [(p["source_start"], p["source_end"]) for p in match.passages]
            )
        sources.append(
            SourceEvidence(
                match=match,
                source=source,
                text_segments=text_segments,
                own_segments=highlight(own_text, [(p["start"], p["end"]) for p in match.passages]),
                authors=[a.full_name for a in source.authors.all()]
                if source and not hidden
                else [],
                hidden=hidden,
                visible_to=(source.top_unit or source.unit) if source is not None else None,
                source_text=source_text,
            )
        )
    return Case(
        initiative=initiative,
        check=check,
        segments=highlight(own_text, all_spans),
        sources=sources,
        events=list(initiative.events.select_related("actor").order_by("created_at", "pk")),
        authors=[a.full_name for a in initiative.authors.all()],
    )


def _confidential_readable(viewer, matches) -> set[int]:
    """Confidential sources whose text the viewer may read (their own chain), in one query."""
    ids = [
        m.source_initiative_id
        for m in matches
        if m.source_initiative_id and (m.confidential or m.source_initiative.is_confidential)
    ]
    if not ids:
        return set()
    return set(
        Initiative.objects.filter(pk__in=ids)
        .filter(confidential_text_readable_q(viewer))
        .values_list("pk", flat=True)
    )


def _is_hidden(match: SimilarityMatch, readable: set[int]) -> bool:
    """A confidential source shows only that it exists, unless the viewer is in its chain."""
    source = match.source_initiative
    if source is None:
        return match.confidential
    return (match.confidential or source.is_confidential) and source.pk not in readable


def colleagues(*, viewer, initiative: Initiative) -> QuerySet:
    """Reviewers whose scope holds the initiative: the people it can be assigned to."""
    from accounts.models import User

    holders = RoleAssignment.objects.filter(
        Scope.of_units([initiative.unit]).enclosing_q("unit"), role__in=REVIEW_ROLES
    ).values("user_id")
    return User.objects.filter(pk__in=holders, is_active=True).order_by("full_name")


@dataclass
class ReviewerStats:
    decided_this_week: int
    waiting: int
    median_hours: float | None


STATS_CACHE_SECONDS = 60


def stats_cache_key(user_id: int) -> str:
    return f"review:stats:{user_id}"


def reviewer_stats(*, viewer, waiting: int | None = None) -> ReviewerStats:
    """A reviewer's own figures: decided since Monday, waiting, median time to decide.

    Time to decide runs from the moment the item became decidable (flagged, or
    valid under "review everything") to the decision, over the last 200 decisions.
    The two history figures are cached for a minute (the queue page is reloaded
    all day); a decision clears them (`services.review_decide`).
    """
    if waiting is None:
        waiting = queue_base(viewer=viewer).items.count()
    history = cache.get(stats_cache_key(viewer.pk))
    if history is None:
        history = _decision_history(viewer)
        cache.set(stats_cache_key(viewer.pk), history, STATS_CACHE_SECONDS)
    decided_this_week, median_hours = history
    return ReviewerStats(
        decided_this_week=decided_this_week, waiting=waiting, median_hours=median_hours
    )


def _decision_history(viewer) -> tuple[int, float | None]:
    now = timezone.localtime()
    monday = (now - dt.timedelta(days=now.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    decisions = InitiativeEvent.objects.filter(actor=viewer, transition__in=DECISION_TRANSITIONS)
    decided_this_week = decisions.filter(created_at__gte=monday).count()
    became_decidable = (
        InitiativeEvent.objects.filter(
            initiative_id=OuterRef("initiative_id"),
            to_status__in=[Status.FLAGGED, Status.VALID],
            created_at__lte=OuterRef("created_at"),
        )
        .order_by("-created_at", "-id")
        .values("created_at")[:1]
    )
    rows = (
        decisions.annotate(waiting_since=Subquery(became_decidable))
        .order_by("-created_at")
        .values_list("created_at", "waiting_since")[:200]
    )
    durations = [
        (decided - since).total_seconds() / 3600 for decided, since in rows if since is not None
    ]
    median_hours = round(statistics.median(durations), 1) if durations else None
    return decided_this_week, median_hours


def policy_units_for_admin(*, viewer) -> QuerySet[OrgUnit]:
    """Level-1 units whose review policy the viewer may set (unit admins of that unit)."""
    from accounts.tenancy import UNIT_ADMIN_ROLES

    scope = scope_for(viewer, UNIT_ADMIN_ROLES)
    return OrgUnit.objects.filter(scope.unit_q(), level=1).order_by("code")


def notices_for(*, viewer) -> QuerySet[Notice]:
    return Notice.objects.filter(recipient=viewer).order_by("-created_at", "-pk")


# --- what a reviewer may open beside the case ---------------------------------------------


def case_source_get(*, viewer, pk: int, source_pk: int) -> Initiative:
    """A source initiative cited as evidence in a case the viewer may review, or 404.

    Citing is what opens it: a reviewer of another province reaches the source only
    through a case of their own that matched it. What of it may be read is still the
    confidentiality rule's answer (`initiatives.selectors.can_read_confidential_text`).
    """
    case = case_get(viewer=viewer, pk=pk)
    cited = SimilarityMatch.objects.filter(initiative=case, source_initiative_id=source_pk).exists()
    source = (
        Initiative.objects.filter(pk=source_pk)
        .exclude(status=Status.DRAFT)
        .select_related("unit", "field")
        .first()
    )
    if not cited or source is None:
        raise Http404
    return source


# The fields an author writes; their change since the return is what the reviewer reads.
REVISED_FIELDS = fields.DIFFED


@dataclass
class DiffPiece:
    text: str
    kind: str  # "same", "added" or "removed"


@dataclass
class FieldChange:
    name: str
    label: str
    pieces: list[DiffPiece]


def word_diff(before: str, after: str) -> list[DiffPiece]:
    """The words removed and added between two texts (difflib over whitespace-kept tokens)."""
    old, new = re.findall(r"\S+\s*", before), re.findall(r"\S+\s*", after)
    pieces: list[DiffPiece] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(DiffPiece("".join(old[a1:a2]), "same"))
            continue
        if a2 > a1:
            pieces.append(DiffPiece("".join(old[a1:a2]), "removed"))
        if b2 > b1:
            pieces.append(DiffPiece("".join(new[b1:b2]), "added"))
    return pieces


def case_changes_since_return(
    *, initiative: Initiative, events: list[InitiativeEvent] | None = None
) -> list[FieldChange] | None:
    """What the author changed since the reviewer returned it, field by field.

    None when the initiative was never returned, or is still with the author. The
    returned version is the history record written when it entered "returned" the
    last time (django-simple-history keeps one per save).
    """
    if initiative.status in (Status.RETURNED, Status.DRAFT):
        return None
    if events is None:
        events = list(initiative.events.all())
    if not any(event.to_status == Status.RETURNED for event in events):
        return None  # never returned: no need to read the history
    records = list(
        initiative.history.order_by("history_date", "history_id").only(
            "status", "history_date", *REVISED_FIELDS
        )
    )
    returned = None
    for previous, record in zip([None, *records], records, strict=False):
        if record.status == Status.RETURNED and (
            previous is None or previous.status != Status.RETURNED
        ):
            returned = record
    if returned is None:
        return None
    changes = []
    for name in REVISED_FIELDS:
        before, after = getattr(returned, name), getattr(initiative, name)
        before = "" if before is None else str(before)
        after = "" if after is None else str(after)
        if before != after:
            label = Initiative._meta.get_field(name).verbose_name
            changes.append(FieldChange(name, str(label), word_diff(before, after)))
    return changes
