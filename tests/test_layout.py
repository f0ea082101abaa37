"""How the code is laid out: rules a reader of the tree can rely on."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIPPED_DIRS = {".venv", "var", "tests", "migrations", "node_modules", "static", ".git"}
# The one place that writes a subtree condition on the MPTT columns by hand.
TENANCY_GATE = ROOT / "portal" / "tenancy.py"
HAND_WRITTEN_SUBTREE = re.compile(r"(?<![A-Za-z0-9])(lft|rght)__(gte|lte|gt|lt)\b")


def project_sources():
    for path in ROOT.rglob("*.py"):
        parts = set(path.relative_to(ROOT).parts[:-1])
        if not parts & SKIPPED_DIRS:
            yield path


def test_every_subtree_condition_goes_through_the_tenancy_gate():
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in project_sources()
        if path != TENANCY_GATE
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if HAND_WRITTEN_SUBTREE.search(line)
    ]
    assert offenders == [], "use Scope / subtree_q from the tenancy gate: " + ", ".join(offenders)


def test_the_rule_above_sees_what_it_looks_for():
    assert TENANCY_GATE.exists()
    assert HAND_WRITTEN_SUBTREE.search("Q(unit__lft__gte=unit.lft, unit__rght__lte=unit.rght)")
    assert HAND_WRITTEN_SUBTREE.search("filter(tree_id=t, lft__gt=a.lft)")
    assert not HAND_WRITTEN_SUBTREE.search("scope.unit_q('unit')")
    sources = {path.relative_to(ROOT).as_posix() for path in project_sources()}
    assert {"initiatives/selectors.py", "accounts/tenancy.py", "bench/review_queue.py"} <= sources
