"""Benchmark input for `manage.py import_initiatives` (issue 3): a JSONL archive.

Writes N lines (default 100,000) of generated Vietnamese initiatives spread over
the grassroots units of the database, creating a small tree (one province, 50
grassroots unions) and an admin account first if the database has none.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/sangkien_import_bench
    .venv/bin/python manage.py migrate
    .venv/bin/python bench/import_jsonl.py --n 100000 --out var/bench/import-100k.jsonl \
        --changed-copy var/bench/import-10k-changed.jsonl
    time .venv/bin/python manage.py import_initiatives var/bench/import-100k.jsonl --no-check
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402

django.setup()

from accounts.models import User  # noqa: E402
from federation.models import OrgUnit, UnitKind  # noqa: E402
from federation.services import unit_create  # noqa: E402
from initiatives.models import Field  # noqa: E402

WORDS_TEXT = (
    "cải tiến quy trình cấp đông tôm giảm điện năng máy nén biến tần dây chuyền "
    "đóng gói tự động hóa an toàn lao động tiết kiệm nguyên liệu nâng cao năng suất "
    "bảo dưỡng thiết bị xử lý nước thải giảm thời gian chờ bố trí mặt bằng kho lạnh "
    "phần mềm quản lý ca kíp hệ thống chiếu sáng cảm biến nhiệt độ băng tải"
)
WORDS = WORDS_TEXT.split()
BENCH_FIELD = "cai-tien-ky-thuat"


def grassroots_codes() -> list[str]:
    codes = list(OrgUnit.objects.filter(kind=UnitKind.GRASSROOTS).values_list("code", flat=True))
    if codes:
        return codes
    root = unit_create(code="TLD", name="Tổng LĐLĐ Việt Nam", kind=UnitKind.NATIONAL, parent=None)
    province = unit_create(
        code="BENCH-P", name="LĐLĐ tỉnh Thử nghiệm", kind=UnitKind.PROVINCE, parent=root
    )
    for n in range(50):
        unit_create(
            code=f"BENCH-G{n:02d}",
            name=f"Công đoàn cơ sở số {n}",
            parent=province,
            kind=UnitKind.GRASSROOTS,
        )
    return grassroots_codes()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--out", default="var/bench/import-100k.jsonl")
    parser.add_argument(
        "--changed-copy",
        default="",
        help="also write this file: the first 10,000 lines with a new title and benefit",
    )
    args = parser.parse_args()
    codes = grassroots_codes()
    if not User.objects.filter(is_superuser=True).exists():
        User.objects.create_superuser(email="bench@example.vn", password="bench", full_name="Bench")
    Field.objects.get_or_create(code=BENCH_FIELD, defaults={"name": "Cải tiến kỹ thuật (bench)"})
    rng = random.Random(3)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as handle:
        for n in range(args.n):
            words = rng.choices(WORDS, k=rng.randint(120, 300))
            record = {
                "external_id": f"ARCH-{n:07d}",
                "title": " ".join(rng.choices(WORDS, k=8)).capitalize(),
                "content": " ".join(words).capitalize() + ".",
                "author_name": f"Nguyễn Văn {rng.choice(['An', 'Bình', 'Cường', 'Dũng'])} {n}",
                "author_id": f"P{n % 40000:06d}",
                "unit_code": rng.choice(codes),
                "submitted_at": f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                "benefit_vnd": rng.randint(0, 500) * 1_000_000,
                # What Decree 13/2012 needs before a submission (initiatives.validation).
                "field": BENCH_FIELD,
                "problem": " ".join(rng.choices(WORDS, k=12)).capitalize() + ".",
                "application_scope": "Các đơn vị có dây chuyền tương tự.",
                "first_applied_on": f"2023-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                "summary": " ".join(rng.choices(WORDS, k=10)).capitalize() + ".",
                "benefit_text": "Tiết kiệm chi phí sản xuất.",
            }
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"wrote {args.n} lines to {out}")
    if args.changed_copy:
        with out.open(encoding="utf-8") as source, open(args.changed_copy, "w") as changed:
            for _n, line in zip(range(10_000), source, strict=False):
                record = json.loads(line)
                record["title"] += " (sửa)"
                record["benefit_vnd"] += 1000
                changed.write(json.dumps(record, ensure_ascii=False) + "\n")
        print(f"wrote a changed copy of the first 10,000 lines to {args.changed_copy}")


if __name__ == "__main__":
    main()
