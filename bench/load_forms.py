"""Reading and filling the portal's forms as a person would, for the load benchmark
(bench/load_users.py) and the one-client profile (bench/profile_requests.py).

No locust here: locust patches the standard library with gevent when imported,
which the profile, running Django in-process, must not get.
"""

from __future__ import annotations

import random
import re
from html.parser import HTMLParser

SAMPLE_TEXT = (
    "cải tiến quy trình cấp đông tôm giảm hao hụt nguyên liệu tiết kiệm điện năng "
    "công nhân phân xưởng chế biến thủy sản băng chuyền máy bơm nhiệt độ kiểm tra chất lượng "
    "năng suất lao động an toàn vệ sinh thực phẩm đóng gói bảo quản lạnh sửa chữa thiết bị"
)
WORDS = SAMPLE_TEXT.split()


def vietnamese_text(words: int) -> str:
    return " ".join(random.choice(WORDS) for _ in range(words)).capitalize() + "."


class FormReader(HTMLParser):
    """The named controls of the first form whose action matches, with their values."""

    def __init__(self, action_pattern: str):
        super().__init__()
        self.action_pattern = re.compile(action_pattern)
        self.inside = False
        self.done = False
        self.fields: dict[str, str] = {}
        self.kinds: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and not self.done and self.action_pattern.search(attrs.get("action", "")):
            self.inside = True
            return
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind in ("submit", "button", "file"):
                return
            self.fields[name] = attrs.get("value", "")
            self.kinds[name] = kind
        elif tag == "select" and name:
            self._select = name
            self.kinds[name] = "select"
            self.fields.setdefault(name, "")
        elif tag == "option" and self._select:
            value = attrs.get("value", "")
            if "selected" in attrs or (value and not self.fields.get(self._select)):
                self.fields[self._select] = value
        elif tag == "textarea" and name:
            self._textarea = name
            self.kinds[name] = "textarea"
            self.fields[name] = ""

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form" and self.inside:
            self.inside = False
            self.done = True


def read_form(html: str, action_pattern: str) -> tuple[dict[str, str], dict[str, str]]:
    reader = FormReader(action_pattern)
    reader.feed(html)
    return reader.fields, reader.kinds


def fill_initiative_form(fields: dict[str, str], kinds: dict[str, str]) -> dict[str, str]:
    """Complete what a worker would type; keep what the page filled in."""
    data = {name: value.strip() for name, value in fields.items()}
    for name, kind in kinds.items():
        # Authors stay as the page filled them (the worker, 100%); extra rows stay empty.
        # The award is the officers' to write, not a worker's.
        if data.get(name) or "-" in name or name in ("confidential_info", "award"):
            continue
        if kind == "date":
            data[name] = "2026-03-01"
        elif kind == "number":
            data[name] = str(random.randint(5, 900) * 10**6)
        elif kind in ("text", "textarea"):
            data[name] = vietnamese_text(40 if kind == "textarea" else 8)
    data["title"] = "Sáng kiến " + vietnamese_text(8)
    data.pop("is_confidential", None)
    return data
