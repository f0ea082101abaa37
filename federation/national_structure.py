"""The national structure: the confederation, provinces before and after the 2025
merger, central sector unions, corporation unions, and the emulation groups.

Official province codes (the 63 provinces before 1 July 2025 and the 34 after) are
kept in the project's `data/province_codes.csv`; which old province went into which
new one, in `data/provinces_2025.csv`. `data/README.md` names their sources.

A province that neither absorbed nor was absorbed (Hà Nội, Huế, ...) is one unit
throughout. Every other new province is a new unit from the merger date, and each
old province that formed it is merged into it by `unit_merge`, so history stays
where it was.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from core.text import fold_accents
from federation.models import EmulationGroup, EmulationMembership, OrgUnit, UnitKind
from federation.services import emulation_group_names_refresh, unit_create, unit_merge

MERGER_DATE = dt.date(2025, 7, 1)
ROOT_CODE = "TLD"
PRE_MERGER_YEARS = (2022, 2023, 2024, 2025)
POST_MERGER_YEARS = (2026,)

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_MAPPING_CSV = DATA_DIR / "provinces_2025.csv"
PROVINCE_CODES_CSV = DATA_DIR / "province_codes.csv"
BEFORE_MERGER, FROM_MERGER = "before_2025_07_01", "from_2025_07_01"

# Emulation clusters of the provinces before the merger, by socio-economic region.
PRE_MERGER_CLUSTERS: dict[str, tuple[str, list[str]]] = {
    "CUM-MNPB": (
        "Cụm thi đua các tỉnh Trung du và miền núi phía Bắc",
        [
            "Hà Giang",
            "Cao Bằng",
            "Bắc Kạn",
            "Tuyên Quang",
            "Lào Cai",
            "Yên Bái",
            "Thái Nguyên",
            "Lạng Sơn",
            "Bắc Giang",
            "Phú Thọ",
            "Điện Biên",
            "Lai Châu",
            "Sơn La",
            "Hòa Bình",
        ],
    ),
    "CUM-DBSH": (
        "Cụm thi đua các tỉnh, thành phố Đồng bằng sông Hồng",
        [
            "Hà Nội",
            "Vĩnh Phúc",
            "Bắc Ninh",
            "Quảng Ninh",
            "Hải Dương",
            "Hải Phòng",
            "Hưng Yên",
            "Thái Bình",
            "Hà Nam",
            "Nam Định",
            "Ninh Bình",
        ],
    ),
    "CUM-BTB-DHMT": (
        "Cụm thi đua các tỉnh, thành phố Bắc Trung Bộ và Duyên hải miền Trung",
        [
            "Thanh Hóa",
            "Nghệ An",
            "Hà Tĩnh",
            "Quảng Bình",
            "Quảng Trị",
            "Huế",
            "Đà Nẵng",
            "Quảng Nam",
            "Quảng Ngãi",
            "Bình Định",
            "Phú Yên",
            "Khánh Hòa",
            "Ninh Thuận",
            "Bình Thuận",
        ],
    ),
    "CUM-TN": (
        "Cụm thi đua các tỉnh Tây Nguyên",
        ["Kon Tum", "Gia Lai", "Đắk Lắk", "Đắk Nông", "Lâm Đồng"],
    ),
    "CUM-DNB": (
        "Cụm thi đua các tỉnh, thành phố Đông Nam Bộ",
        [
            "Bình Phước",
            "Tây Ninh",
            "Bình Dương",
            "Đồng Nai",
            "Bà Rịa - Vũng Tàu",
            "Hồ Chí Minh",
            "Long An",
        ],
    ),
    "CUM-DBSCL": (
        "Cụm thi đua 12 tỉnh, thành phố Đồng bằng sông Cửu Long",
        [
            "Tiền Giang",
            "Bến Tre",
            "Trà Vinh",
            "Vĩnh Long",
            "Đồng Tháp",
            "An Giang",
            "Kiên Giang",
            "Cần Thơ",
            "Hậu Giang",
            "Sóc Trăng",
            "Bạc Liêu",
            "Cà Mau",
        ],
    ),
}

SECTOR_UNIONS = [
    ("CDN-GD", "Công đoàn Giáo dục Việt Nam", 1_650_000),
    ("CDN-YT", "Công đoàn Y tế Việt Nam", 520_000),
    ("CDN-CT", "Công đoàn Công Thương Việt Nam", 310_000),
    ("CDN-GTVT", "Công đoàn Giao thông vận tải Việt Nam", 180_000),
    ("CDN-XD", "Công đoàn Xây dựng Việt Nam", 160_000),
    ("CDN-NN", "Công đoàn Nông nghiệp và Môi trường Việt Nam", 150_000),
    ("CDN-VC", "Công đoàn Viên chức Việt Nam", 140_000),
    ("CDN-NH", "Công đoàn Ngân hàng Việt Nam", 130_000),
    ("CDN-CAND", "Công đoàn Công an nhân dân", 90_000),
    ("CDN-QP", "Công đoàn Quốc phòng", 120_000),
]
CORPORATION_UNIONS = [
    ("CDTCT-EVN", "Công đoàn Điện lực Việt Nam", 95_000),
    ("CDTCT-PVN", "Công đoàn Dầu khí Việt Nam", 55_000),
    ("CDTCT-TKV", "Công đoàn Than - Khoáng sản Việt Nam", 85_000),
    ("CDTCT-VINATEX", "Công đoàn Dệt May Việt Nam", 70_000),
    ("CDTCT-VRG", "Công đoàn Cao su Việt Nam", 60_000),
    ("CDTCT-VNA", "Công đoàn Tổng công ty Hàng không Việt Nam", 25_000),
]
BLOCKS = {
    "KHOI-NGANH": ("Khối thi đua các công đoàn ngành trung ương", UnitKind.SECTOR),
    "KHOI-TCT": ("Khối thi đua công đoàn tập đoàn, tổng công ty", UnitKind.CORPORATION),
}


def name_key(name: str) -> str:
    """Compare province names regardless of accents, 'Tỉnh'/'Thành phố' and punctuation."""
    folded = fold_accents(name).lower()
    folded = re.sub(r"^(thanh pho|tinh)\s+", "", folded.strip())
    return re.sub(r"[^a-z0-9]", "", folded)


@dataclass(frozen=True)
class ProvinceRecord:
    name: str
    official_code: str


def _provinces(period: str) -> list[ProvinceRecord]:
    with PROVINCE_CODES_CSV.open(encoding="utf-8") as handle:
        records = [
            ProvinceRecord(row["name"], row["official_code"])
            for row in csv.DictReader(handle)
            if row["period"] == period
        ]
    return sorted(records, key=lambda p: p.official_code)


def pre_merger_provinces() -> list[ProvinceRecord]:
    return _provinces(BEFORE_MERGER)


def post_merger_provinces() -> list[ProvinceRecord]:
    return _provinces(FROM_MERGER)


def read_mapping(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8") as handle:
        return {
            row["old_province"].strip(): row["new_province"].strip()
            for row in csv.DictReader(handle)
        }


def _federation_name(province: str) -> str:
    return f"LĐLĐ {'thành phố' if province in CITIES else 'tỉnh'} {province}"


CITIES = {"Hà Nội", "Hải Phòng", "Huế", "Đà Nẵng", "Hồ Chí Minh", "Cần Thơ"}


@dataclass
class LoadResult:
    created: bool
    pre_merger: int
    post_merger: int
    merges: int


@transaction.atomic
def load_national_structure(
    *, mapping_csv: Path = DEFAULT_MAPPING_CSV, members_of=None
) -> LoadResult:
    """Create the structure once; a second call changes nothing."""
    if OrgUnit.objects.filter(code=ROOT_CODE).exists():
        return LoadResult(created=False, pre_merger=0, post_merger=0, merges=0)
    members_of = members_of or (lambda name: 0)
    mapping = read_mapping(mapping_csv)
    old_by_key = {name_key(p.name): p for p in pre_merger_provinces()}
    new_by_key = {name_key(p.name): p for p in post_merger_provinces()}
    absorbed_by: dict[str, list[ProvinceRecord]] = {}
    for old_name, new_name in mapping.items():
        old = old_by_key[name_key(old_name)]
        absorbed_by.setdefault(name_key(new_name), []).append(old)
    if len(absorbed_by) != len(new_by_key) or set(absorbed_by) != set(new_by_key):
        raise ValueError("provinces_2025.csv does not name the 34 provinces of province_codes.csv")

    root = unit_create(
        code=ROOT_CODE,
        name="Tổng Liên đoàn Lao động Việt Nam",
        short_name="Tổng LĐLĐ Việt Nam",
        kind=UnitKind.NATIONAL,
        parent=None,
        member_count=0,
    )
    unit_by_old_key: dict[str, OrgUnit] = {}
    unit_by_new_key: dict[str, OrgUnit] = {}
    merges = 0
    for old in pre_merger_provinces():
        new_key = name_key(mapping[_csv_name(mapping, old.name)])
        continuing = absorbed_by[new_key] == [old] and name_key(old.name) == new_key
        code = f"LDLD{old.official_code}" if continuing else f"LDLD{old.official_code}-63"
        unit_by_old_key[name_key(old.name)] = unit_create(
            code=code,
            name=_federation_name(old.name),
            short_name=old.name,
            kind=UnitKind.PROVINCE,
            parent=root,
            official_code=old.official_code,
            member_count=members_of(old.name),
        )
        if continuing:
            unit_by_new_key[new_key] = unit_by_old_key[name_key(old.name)]
    for new in post_merger_provinces():
        key = name_key(new.name)
        if key in unit_by_new_key:
            continue
        sources = [unit_by_old_key[name_key(old.name)] for old in absorbed_by[key]]
        unit = unit_create(
            code=f"LDLD{new.official_code}",
            name=_federation_name(new.name),
            short_name=new.name,
            kind=UnitKind.PROVINCE,
            parent=root,
            official_code=new.official_code,
            active_from=MERGER_DATE,
            member_count=sum(s.member_count for s in sources),
        )
        unit_merge(
            sources=sources,
            target=unit,
            effective_date=MERGER_DATE,
            note="Sắp xếp đơn vị hành chính 2025",
        )
        merges += len(sources)
        unit_by_new_key[key] = unit

    for code, name, members in SECTOR_UNIONS:
        unit_create(code=code, name=name, kind=UnitKind.SECTOR, parent=root, member_count=members)
    for code, name, members in CORPORATION_UNIONS:
        unit_create(
            code=code, name=name, kind=UnitKind.CORPORATION, parent=root, member_count=members
        )

    _load_emulation_groups(unit_by_old_key, unit_by_new_key, absorbed_by)
    emulation_group_names_refresh()
    root.refresh_from_db()
    root.member_count = sum(
        OrgUnit.objects.filter(level=1, active_to__isnull=True).values_list(
            "member_count", flat=True
        )
    )
    root.save(update_fields=["member_count"])
    return LoadResult(
        created=True,
        pre_merger=len(unit_by_old_key),
        post_merger=len(unit_by_new_key),
        merges=merges,
    )


def _csv_name(mapping: dict[str, str], province: str) -> str:
    wanted = name_key(province)
    return next(name for name in mapping if name_key(name) == wanted)


def _load_emulation_groups(unit_by_old_key, unit_by_new_key, absorbed_by) -> None:
    cluster_of_old: dict[str, EmulationGroup] = {}
    for code, (name, provinces) in PRE_MERGER_CLUSTERS.items():
        group = EmulationGroup.objects.create(
            code=code, name=name, kind=EmulationGroup.Kind.CLUSTER
        )
        for province in provinces:
            key = name_key(province)
            cluster_of_old[key] = group
            EmulationMembership.objects.bulk_create(
                EmulationMembership(group=group, unit=unit_by_old_key[key], year=year)
                for year in PRE_MERGER_YEARS
            )
    missing = set(unit_by_old_key) - set(cluster_of_old)
    if missing:
        raise ValueError(f"provinces without a cluster: {sorted(missing)}")
    # After the merger a province competes in the cluster of its namesake, or of its first part.
    for new_key, unit in unit_by_new_key.items():
        parts = absorbed_by[new_key]
        namesake = next((p for p in parts if name_key(p.name) == new_key), parts[0])
        group = cluster_of_old[name_key(namesake.name)]
        EmulationMembership.objects.bulk_create(
            EmulationMembership(group=group, unit=unit, year=year) for year in POST_MERGER_YEARS
        )
    for code, (name, kind) in BLOCKS.items():
        group = EmulationGroup.objects.create(code=code, name=name, kind=EmulationGroup.Kind.BLOCK)
        for unit in OrgUnit.objects.filter(kind=kind, level=1):
            EmulationMembership.objects.bulk_create(
                EmulationMembership(group=group, unit=unit, year=year)
                for year in PRE_MERGER_YEARS + POST_MERGER_YEARS
            )
