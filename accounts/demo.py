"""Demo country for `manage.py seed_demo`: units under a few provinces, one account per role."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction

from accounts.models import Membership, Role, RoleAssignment, User
from federation.models import OrgUnit, UnitKind
from federation.national_structure import MERGER_DATE, load_national_structure
from federation.services import unit_create, unit_move

DEMO_PASSWORD = "demo"
PENDING_DEMO_LOGIN = "choxacnhan@demo.vn"

SURNAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Thanh", "Ngọc", "Quốc", "Thu", "Đức", "Hoài"]
GIVEN = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Hà",
    "Hải",
    "Hạnh",
    "Hòa",
    "Hùng",
    "Lan",
    "Linh",
    "Mai",
    "Nam",
    "Nga",
    "Phúc",
    "Quang",
    "Sơn",
    "Tâm",
    "Thảo",
    "Thủy",
    "Trang",
    "Tuấn",
    "Vy",
    "Yến",
]

# (province code, upper-level units, grassroots units per upper-level unit)
DEMO_PROVINCES = {
    "LDLD92": [
        (
            "Công đoàn Khu công nghiệp Trà Nóc",
            [
                "Công ty CP Thủy sản Bình An",
                "Công ty TNHH Chế biến Thủy sản Mekong",
                "Công ty CP Dược Hậu Giang",
            ],
        ),
        (
            "Công đoàn Viên chức thành phố Cần Thơ",
            ["Bệnh viện Đa khoa thành phố Cần Thơ", "Trường THPT Châu Văn Liêm"],
        ),
        (
            "Công đoàn khu vực Sóc Trăng",
            ["Công ty CP Mía đường Sóc Trăng", "Công ty CP Thủy sản Sóc Trăng"],
        ),
    ],
    "LDLD01": [
        (
            "Công đoàn Khu công nghiệp và chế xuất Hà Nội",
            ["Công ty TNHH Canon Việt Nam", "Công ty TNHH Điện tử Meiko"],
        ),
        (
            "Công đoàn Viên chức thành phố Hà Nội",
            ["Bệnh viện Bạch Mai", "Trường Đại học Bách khoa Hà Nội"],
        ),
    ],
    "LDLD79": [
        (
            "Công đoàn các Khu chế xuất và công nghiệp TP.HCM",
            ["Công ty TNHH Nidec Việt Nam", "Công ty CP May Việt Tiến"],
        )
    ],
}
# Upper-level units of the new Cần Thơ and the province they were under before the 2025
# merger: their history says where their initiatives counted until 30/06/2025.
DEMO_BEFORE_MERGER = {
    "LDLD92-U01": "LDLD92-63",  # Cần Thơ (before the merger)
    "LDLD92-U02": "LDLD92-63",
    "LDLD92-U03": "LDLD94-63",  # Sóc Trăng
}
DEMO_DIRECT = {
    "CDTCT-EVN": ["Công ty Nhiệt điện Phả Lại", "Tổng công ty Điện lực miền Nam"],
    "CDN-GD": ["Trường Đại học Sư phạm Hà Nội"],
}


@dataclass(frozen=True)
class DemoAccount:
    login: str
    role: str
    unit_code: str
    full_name: str
    phone: str | None = None
    is_staff: bool = False


def _demo_name(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


@transaction.atomic
def seed_demo_country() -> list[DemoAccount]:
    load_national_structure()
    rng = random.Random(2022)
    grassroots_codes: list[str] = []
    for province_code, uppers in DEMO_PROVINCES.items():
        province = OrgUnit.objects.get(code=province_code)
        for i, (upper_name, grassroots_names) in enumerate(uppers, start=1):
            code = f"{province_code}-U{i:02d}"
            before = DEMO_BEFORE_MERGER.get(code)
            upper = unit_create(
                code=code,
                name=upper_name,
                kind=UnitKind.UPPER,
                parent=OrgUnit.objects.get(code=before) if before else province,
                member_count=0,
            )
            for j, name in enumerate(grassroots_names, start=1):
                code = f"{upper.code}-G{j:02d}"
                unit_create(
                    code=code,
                    name=f"Công đoàn {name}",
                    short_name=name,
                    kind=UnitKind.GRASSROOTS,
                    parent=upper,
                    member_count=rng.randint(80, 2500),
                )
                grassroots_codes.append(code)
            if before:
                # The merger moved it under the new province, as `unit_merge` moves sub-units.
                unit_move(unit=upper, new_parent=province, effective_date=MERGER_DATE)
    for parent_code, names in DEMO_DIRECT.items():
        parent = OrgUnit.objects.get(code=parent_code)
        for j, name in enumerate(names, start=1):
            code = f"{parent_code}-G{j:02d}"
            unit_create(
                code=code,
                name=f"Công đoàn {name}",
                short_name=name,
                kind=UnitKind.GRASSROOTS,
                parent=parent,
                member_count=rng.randint(200, 3000),
            )

    accounts = [
        DemoAccount(
            "congnhan@demo.vn", Role.MEMBER, "LDLD92-U01-G01", "Nguyễn Văn Tâm", phone="0901234567"
        ),
        DemoAccount("congnhan.hanoi@demo.vn", Role.MEMBER, "LDLD01-U01-G01", "Trần Thị Mai"),
        DemoAccount("cdcs@demo.vn", Role.GRASSROOTS_OFFICER, "LDLD92-U01-G01", "Lê Thị Hạnh"),
        DemoAccount("canbo.cantho@demo.vn", Role.UNIT_OFFICER, "LDLD92", "Phạm Quốc Hùng"),
        DemoAccount("duyet.cantho@demo.vn", Role.REVIEWER, "LDLD92", "Huỳnh Thị Hiền"),
        DemoAccount("duyet.hanoi@demo.vn", Role.REVIEWER, "LDLD01", "Đỗ Minh Quang"),
        DemoAccount("lanhdao@demo.vn", Role.LEADERSHIP, "TLD", "Trần Thanh Hải"),
        DemoAccount("quantri@demo.vn", Role.ADMIN, "TLD", "Bùi Đức Sơn", is_staff=True),
    ]
    for account in accounts:
        user = User.objects.filter(email=account.login).first()
        if user is None:
            user = User.objects.create_user(
                email=account.login,
                password=DEMO_PASSWORD,
                phone=account.phone,
                full_name=account.full_name,
                is_staff=account.is_staff,
                is_superuser=account.is_staff,
            )
        unit = OrgUnit.objects.get(code=account.unit_code)
        if account.role == Role.MEMBER:
            Membership.objects.get_or_create(
                user=user,
                unit=unit,
                defaults={"status": Membership.Status.CONFIRMED, "joined_on": dt.date(2022, 1, 1)},
            )
        RoleAssignment.objects.get_or_create(user=user, unit=unit, role=account.role)
    # A worker who registered from the poster and waits for the grassroots officer.
    pending = User.objects.filter(email=PENDING_DEMO_LOGIN).first() or User.objects.create_user(
        email=PENDING_DEMO_LOGIN, password=DEMO_PASSWORD, full_name="Võ Thị Lan"
    )
    Membership.objects.get_or_create(
        user=pending, unit=OrgUnit.objects.get(code="LDLD92-U01-G01"), defaults={}
    )
    return accounts


def demo_already_seeded() -> bool:
    return User.objects.filter(email="congnhan@demo.vn").exists()
