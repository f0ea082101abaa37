"""A hand-laid tile map of the 34 provinces (since 1 July 2025), roughly where they lie.

Each tile is (official province code, row, column). Tiles are coloured by progress to
the yearly target; the same numbers are in the table next to the map.
"""

from __future__ import annotations

TILES: list[tuple[str, int, int]] = [
    ("12", 0, 1), ("15", 0, 2), ("08", 0, 3), ("04", 0, 4),
    ("11", 1, 0), ("14", 1, 1), ("25", 1, 2), ("19", 1, 3), ("20", 1, 4),
    ("01", 2, 2), ("24", 2, 3), ("22", 2, 4),
    ("37", 3, 2), ("33", 3, 3), ("31", 3, 4),
    ("38", 4, 2),
    ("40", 5, 2),
    ("42", 6, 2),
    ("44", 7, 3),
    ("46", 8, 3),
    ("48", 9, 4),
    ("51", 10, 3), ("52", 10, 4),
    ("66", 11, 3), ("56", 11, 4),
    ("68", 12, 3),
    ("80", 13, 1), ("79", 13, 2), ("75", 13, 3),
    ("91", 14, 0), ("82", 14, 1), ("86", 14, 2),
    ("96", 15, 0), ("92", 15, 1),
]  # fmt: skip


def progress_band(pct: float | None) -> str:
    if pct is None:
        return "none"
    if pct >= 100:
        return "done"
    if pct >= 80:
        return "near"
    if pct >= 50:
        return "mid"
    return "low"


def tile_map(rows) -> list[dict]:
    """Tiles for the provinces among `rows` (progress rows of top-level units)."""
    by_code = {r.unit.official_code: r for r in rows if r.unit.kind == "province"}
    tiles = []
    for code, row_index, column in TILES:
        row = by_code.get(code)
        if row is None:
            continue
        tiles.append(
            {
                "code": row.unit.code,
                "name": row.unit.short_name or row.unit.name,
                "pct": row.target_pct,
                "band": progress_band(row.target_pct),
                "row": row_index + 1,
                "column": column + 1,
            }
        )
    return tiles
