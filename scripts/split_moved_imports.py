"""Split `from accounts.models import Job, User` and `from portal import jobs, people`
after scripts/apply_module_renames.sh: the names of one old module went to several apps.

    .venv/bin/python scripts/split_moved_imports.py FILE...
"""

import ast
import re
import sys
from pathlib import Path

RANKINGS_MODELS = {
    "Bucket",
    "VALID_BUCKETS",
    "Dimension",
    "TALLY_VALUES",
    "TalliedInitiative",
    "DailyTally",
    "TopUnitTally",
    "WeeklyTally",
    "MonthlyTally",
    "RankingMode",
    "RankingSnapshot",
    "Target",
    "ReminderPolicy",
    "WeeklyReport",
}
CORE_MODELS = {"Job", "OutboxEmail", "Notice"}
PORTAL_MODULES = {
    "membership": "accounts",
    "parsing": "core",
    "jobs": "core",
    "outbox": "core",
    "page_cache": "core",
    "signin": "accounts",
    "services": "accounts",
    "account": "accounts",
    "people": "accounts",
    "registration": "accounts",
    "tasks": "core",
    "health": "portal",
    "views": "portal",
    "job_views": "core",
    "tenancy": "accounts",
    "forms": "accounts",
    "social": "accounts",
    "api_tokens": "accounts",
    "demo": "accounts",
    "middleware": "portal",
    "context_processors": "portal",
}


def target(module: str, name: str) -> str:
    if module == "accounts.models":
        if name in RANKINGS_MODELS:
            return "rankings.models"
        if name in CORE_MODELS:
            return "core.models"
        return module
    if module == "portal":
        return PORTAL_MODULES.get(name, module)
    return module


def split_imports(path: Path) -> int:
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines(keepends=True)
    edits = []
    for node in ast.walk(ast.parse(source)):
        if not (
            isinstance(node, ast.ImportFrom)
            and node.level == 0
            and node.module in ("accounts.models", "portal")
        ):
            continue
        groups: dict[str, list[ast.alias]] = {}
        for alias in node.names:
            groups.setdefault(target(node.module, alias.name), []).append(alias)
        if list(groups) == [node.module]:
            continue
        indent = re.match(r"\s*", lines[node.lineno - 1]).group(0)
        comment = ""
        found = re.search(r"#.*$", lines[node.end_lineno - 1].rstrip("\n"))
        if found and node.lineno == node.end_lineno:
            comment = "  " + found.group(0)
        statements = []
        for module, aliases in groups.items():
            names = ", ".join(a.name + (f" as {a.asname}" if a.asname else "") for a in aliases)
            statements.append(f"{indent}from {module} import {names}{comment}\n")
        edits.append((node.lineno - 1, node.end_lineno, "".join(statements)))
    for start, end, text in sorted(edits, reverse=True):
        lines[start:end] = [text]
    if edits:
        path.write_text("".join(lines), encoding="utf-8")
    return len(edits)


if __name__ == "__main__":
    for name in sys.argv[1:]:
        if split_imports(Path(name)):
            print("split imports in", name)
