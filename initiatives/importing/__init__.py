"""Bulk import of initiatives from XLSX, CSV or JSONL, with a per-row report.

The portal's one table reader (`core.tabular.TableReader`, here `RowSource` with
this import's columns: `reading`) turns any of the three formats into numbered rows of
cells keyed by column name (the JSONL keys: `external_id`, `title`, `content`,
`author_name`, `author_id`, `unit_code`, `submitted_at`, `field`, and any other
initiative field declared in `initiatives.fields`). `import_initiatives` validates
every row (`validating`), collects every problem as (row, column, reason in
Vietnamese) in the portal's one `ImportReport`, then writes (`writing`):

- all-or-nothing: a first pass only validates; if any row is bad nothing is
  written. Otherwise a second pass writes everything in one transaction.
- import-valid-rows: chunks of rows are validated and written, each chunk in its
  own transaction (so progress is visible while a long file runs); bad rows are
  reported and skipped.

Writes go through `initiative_save_draft` + `initiative_submit`, so imported
initiatives pass the same checks as a form and are enqueued for the similarity
check. Re-importing the same `external_id` updates that initiative, never
duplicates it. For very large archives (the command line) `bulk=True` inserts new
rows with `bulk_create` after the same validation (see `writing._write_bulk`), then
recounts the ranking counters once. The downloadable template is in `template`.
"""

from core.tabular import ImportReport, RowError
from initiatives.importing.reading import (
    AUTHOR_COLUMNS,
    COLUMN_HEADERS,
    KNOWN_COLUMNS,
    MSG_BAD_JSON,
    MSG_CONTROL_CHARACTERS,
    MSG_NO_ROWS,
    MSG_UNREADABLE,
    MSG_UNSUPPORTED_FORMAT,
    PLAIN_TEXT_COLUMNS,
    REQUIRED_COLUMNS,
    SECTION_OF_COLUMN,
    TEMPLATE_COLUMNS,
    ImportFileError,
    RowSource,
    column_header,
    column_key,
)
from initiatives.importing.template import COLUMN_HELP, TEMPLATE_EXAMPLE, template_workbook
from initiatives.importing.validating import (
    MSG_AUTHOR_COUNTS,
    MSG_BAD_BOOL,
    MSG_BAD_DATE,
    MSG_BAD_NUMBER,
    MSG_BAD_PERCENT,
    MSG_DUPLICATE_IN_FILE,
    MSG_EXTERNAL_ID_REFUSED,
    MSG_FIELD_UNKNOWN,
    MSG_FUTURE_DATE,
    MSG_GROUP_UNKNOWN,
    MSG_REQUIRED,
    MSG_ROW_NOT_WRITTEN,
    MSG_TOO_LONG,
    MSG_UNIT_NOT_IMPORTABLE,
    MSG_UNIT_UNKNOWN,
    PlannedRow,
    _Lookups,
    _Validator,
    parse_bool,
    parse_date,
    parse_datetime,
    parse_money,
)
from initiatives.importing.writing import DEFAULT_CHUNK_SIZE, import_initiatives

__all__ = [
    "AUTHOR_COLUMNS",
    "COLUMN_HEADERS",
    "COLUMN_HELP",
    "DEFAULT_CHUNK_SIZE",
    "KNOWN_COLUMNS",
    "MSG_AUTHOR_COUNTS",
    "MSG_BAD_BOOL",
    "MSG_BAD_DATE",
    "MSG_BAD_JSON",
    "MSG_BAD_NUMBER",
    "MSG_BAD_PERCENT",
    "MSG_CONTROL_CHARACTERS",
    "MSG_DUPLICATE_IN_FILE",
    "MSG_EXTERNAL_ID_REFUSED",
    "MSG_FIELD_UNKNOWN",
    "MSG_FUTURE_DATE",
    "MSG_GROUP_UNKNOWN",
    "MSG_NO_ROWS",
    "MSG_REQUIRED",
    "MSG_ROW_NOT_WRITTEN",
    "MSG_TOO_LONG",
    "MSG_UNIT_NOT_IMPORTABLE",
    "MSG_UNIT_UNKNOWN",
    "MSG_UNREADABLE",
    "MSG_UNSUPPORTED_FORMAT",
    "PLAIN_TEXT_COLUMNS",
    "REQUIRED_COLUMNS",
    "SECTION_OF_COLUMN",
    "TEMPLATE_COLUMNS",
    "TEMPLATE_EXAMPLE",
    "ImportFileError",
    "ImportReport",
    "PlannedRow",
    "RowError",
    "RowSource",
    "_Lookups",
    "_Validator",
    "column_header",
    "column_key",
    "import_initiatives",
    "parse_bool",
    "parse_date",
    "parse_datetime",
    "parse_money",
    "template_workbook",
]
