"""How the code is laid out: rules a reader of the tree can rely on."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIPPED_DIRS = {".venv", "var", "tests", "migrations", "node_modules", "static", ".git"}
# The one place that writes a subtree condition on the MPTT columns by hand.
TENANCY_GATE = ROOT / "accounts" / "tenancy.py"
HAND_WRITTEN_SUBTREE = re.compile(r"(?<![A-Za-z0-9])(lft|rght)__(gte|lte|gt|lt)\b")

# Our apps, lowest layer first: an app may import from itself and the apps before it.
LAYERS = ["core", "federation", "accounts", "initiatives", "dedup", "review", "rankings", "portal"]


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


def imported_modules(tree: ast.AST):
    """Every module a file imports, at the top or inside a function, with its line."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module, node.lineno


def upward_imports(sources) -> list[str]:
    rank = {app: number for number, app in enumerate(LAYERS)}
    found = []
    for path in sources:
        app = path.relative_to(ROOT).parts[0]
        if app not in rank:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for module, line in imported_modules(tree):
            imported = module.split(".")[0]
            if imported in rank and rank[imported] > rank[app]:
                found.append(f"{path.relative_to(ROOT)}:{line} {app} -> {module}")
    return found


def app_sources():
    """Every .py file of our apps, migrations included (they import code too)."""
    for app in LAYERS:
        for path in (ROOT / app).rglob("*.py"):
            if "__pycache__" not in path.parts:
                yield path


def test_apps_import_only_downwards():
    assert upward_imports(app_sources()) == []


def test_every_app_is_installed_in_layer_order():
    from django.conf import settings

    ours = [name for name in settings.INSTALLED_APPS if name in LAYERS]
    assert ours == LAYERS


def test_the_direction_rule_sees_imports_inside_functions(tmp_path, monkeypatch):
    core = tmp_path / "core"
    core.mkdir()
    (core / "jobs.py").write_text("def run():\n    from rankings.services import x\n")
    (core / "text.py").write_text("import federation.models\n")
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    found = upward_imports([core / "jobs.py", core / "text.py"])
    assert found == [
        "core/jobs.py:2 core -> rankings.services",
        "core/text.py:1 core -> federation.models",
    ]


def test_no_script_is_named_like_an_app():
    """A benchmark or script runs with its own folder first on sys.path: `bench/rankings.py`
    once hid the rankings app from the Django it started ("'rankings' is not a package")."""
    scripts = [*(ROOT / "bench").glob("*.py"), *(ROOT / "scripts").glob("*.py")]
    assert scripts
    assert [path.name for path in scripts if path.stem in LAYERS] == []
