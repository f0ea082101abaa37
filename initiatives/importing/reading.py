"""Reading an initiative import: its columns, their headers in every language, and the
portal's one table reader (`core.tabular.TableReader`) set to them (`RowSource`)."""

from __future__ import annotations

import functools

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.tabular import (  # noqa: F401 - the import's messages, named here too
    MSG_BAD_JSON,
    MSG_CONTROL_CHARACTERS,
    MSG_NO_ROWS,
    MSG_UNREADABLE,
    MSG_UNSUPPORTED_FORMAT,
    TableError,
    TableReader,
)
from initiatives import fields as sections
from initiatives.search import fold

# The file as a whole cannot be read (wrong format, not a table).
ImportFileError = TableError

# Separates several authors in one cell: "Nguyễn Văn A; Trần Thị B".
AUTHOR_SEPARATOR = ";"
AUTHOR_COLUMNS = (
    "author_name",
    "author_id",
    "author_percent",
    "author_birth_date",
    "author_workplace",
    "author_job_title",
    "author_qualification",
)
# The sections' columns (`initiatives.fields`), and each one's section.
SECTION_OF_COLUMN = {section.column_name: section for section in sections.SECTIONS}
# The column a model field's problem is reported against, where they differ.
_COLUMN_OF = {
    section.name: section.column_name
    for section in sections.SECTIONS
    if section.column_name != section.name
}
# Columns read as plain text into the initiative's field of the same section.
PLAIN_TEXT_COLUMNS = tuple(
    column for column, section in SECTION_OF_COLUMN.items() if section.kind == sections.KIND_TEXT
)
KNOWN_COLUMNS = frozenset(("external_id", "submitted_at", *SECTION_OF_COLUMN, *AUTHOR_COLUMNS))
REQUIRED_COLUMNS = ("title", "content", "author_name", "unit_code")
# The downloadable template's columns, in order: the required ones first, then the
# rest of the declared sections, then what more may be said of the authors.
_LEADING_COLUMNS = (
    "external_id",
    "title",
    "content",
    "author_name",
    "author_id",
    "author_percent",
    "unit_code",
    "submitted_at",
)
TEMPLATE_COLUMNS = (
    *_LEADING_COLUMNS,
    *(
        section.column_name
        for section in sections.exported()
        if section.column_name not in _LEADING_COLUMNS
    ),
    "author_birth_date",
    "author_workplace",
    "author_job_title",
)
# The header people see for each column, in the template and the export. Import accepts
# it in any of the portal's languages, and the older English names (`title`...) too.
COLUMN_HEADERS = {
    "id": gettext_noop("Mã số"),
    "status": gettext_noop("Trạng thái"),
    "external_id": gettext_noop("Mã ngoài"),
    "author_name": gettext_noop("Tác giả"),
    "author_id": gettext_noop("Mã tác giả"),
    "author_percent": gettext_noop("Tỷ lệ đóng góp (%)"),
    "submitted_at": gettext_noop("Ngày nộp"),
    "author_birth_date": gettext_noop("Ngày sinh tác giả"),
    "author_workplace": gettext_noop("Nơi công tác của tác giả"),
    "author_job_title": gettext_noop("Chức danh tác giả"),
    "author_qualification": gettext_noop("Trình độ tác giả"),
    **{column: section.header for column, section in SECTION_OF_COLUMN.items()},
}


def column_header(column: str) -> str:
    """The header of `column` in the reader's language."""
    return _(COLUMN_HEADERS[column]) if column in COLUMN_HEADERS else column


@functools.cache
def _columns_by_header() -> dict[str, str]:
    headers = list(COLUMN_HEADERS.items())
    headers += [
        (section.column_name, alias) for section in sections.SECTIONS for alias in section.aliases
    ]
    keys = {}
    for column, header in headers:
        keys[fold(column)] = column
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                keys[fold(_(header))] = column
    return keys


def column_key(header) -> str:
    """A file's header -> our column name: "Tên sáng kiến", "ten sang kien", "title"."""
    raw = str(header or "").strip().lower()
    return _columns_by_header().get(fold(raw), raw)


class RowSource(TableReader):
    """The portal's table reader, reading the initiative import's columns (any header
    of `column_key`): rows numbered as the user sees them, see `TableReader`."""

    def __init__(self, fileobj, name: str = "", **options):
        options.setdefault("column_key", column_key)
        super().__init__(fileobj, name, **options)
