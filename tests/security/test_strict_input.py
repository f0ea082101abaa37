"""Finding: 39 requests answered 500 from 6 causes: `isdigit()` accepting "²"
(`?nam=²`), NUL bytes in 18 GET parameters (`?q=%00`), NUL bytes, year-1 dates and
`1e30`/`sNaN` numbers in imports, a fake "PK…" file given to the unit and target
imports, a target of 2³¹, the weekly report for week 0001.

Every input now goes through core.parsing; the fuzz tests below throw odd values
at every query parameter, form and import column and expect no server error."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.tenancy import OFFICER_ROLES, scope_for
from core import parsing
from core.tabular import (
    MSG_CONTROL_CHARACTERS,
    TableError,
    TableReader,
    numbered,
)
from federation.services import units_import
from initiatives.importing import MSG_UNSUPPORTED_FORMAT, RowSource, import_initiatives
from initiatives.models import Initiative
from portal.middleware import MSG_BAD_QUERY_PARAMETER
from rankings.models import Target
from rankings.services import targets_import

pytestmark = pytest.mark.django_db

FAKE_XLSX = b"PK\x03\x04 this is not a workbook at all" + b"\x00" * 64

# Values that broke pages and imports, and their relatives.
ODD_VALUES = [
    "²",
    "٣",
    "\x00",
    "a\x00b",
    "\x1b[31m",
    "0001-01-01",
    "9999-12-31",
    "0001",
    "-1",
    "1e30",
    "sNaN",
    "NaN",
    "Infinity",
    "-0",
    str(2**31),
    str(2**63),
    "9" * 40,
    "",
    " ",
    "' OR 1=1 --",
    "ｄ",
    "x" * 5000,
]
odd_text = st.one_of(
    st.sampled_from(ODD_VALUES),
    st.text(max_size=60),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.dates(min_value=dt.date(1, 1, 1)).map(lambda d: d.strftime("%d/%m/%Y")),
)
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# --- the helper itself -----------------------------------------------------------------


@pytest.mark.parametrize("raw", ["²", "٣", "1e30", "sNaN", "NaN", "", "12a", str(2**31)])
def test_parse_int_refuses_what_int_or_isdigit_let_through(raw):
    with pytest.raises(parsing.ParseError):
        parsing.parse_int(raw)


@pytest.mark.parametrize("raw", ["1e30", "sNaN", "NaN", "Infinity", "-Infinity", "1" * 30])
def test_parse_decimal_is_finite_and_bounded(raw):
    with pytest.raises(parsing.ParseError):
        parsing.parse_decimal(raw)


@pytest.mark.parametrize("raw", ["0001-01-01", "01/01/0001", "31/12/9999", "2025-02-30", "٢٠٢٥"])
def test_parse_date_keeps_a_sane_range(raw):
    with pytest.raises(parsing.ParseError):
        parsing.parse_date(raw)


def test_parse_text_refuses_nul_and_control_characters():
    with pytest.raises(parsing.ParseError):
        parsing.parse_text("a\x00b")
    assert parsing.parse_text(" dòng 1\ndòng 2 ") == "dòng 1\ndòng 2"


# --- the replays -----------------------------------------------------------------------


def test_library_with_a_superscript_year_answers(client):
    assert client.get("/sang-kien/thu-vien/", {"nam": "²"}).status_code == 200


@pytest.mark.parametrize(
    "path", ["/sang-kien/thu-vien/", "/xep-hang/", "/don-vi/", "/api/v1/initiatives/"]
)
def test_nul_in_a_query_parameter_is_a_400(client_for, personas, path):
    response = client_for(personas.leader).get(path, {"q": "\x00", "search": "a\x00"})
    assert response.status_code == 400
    if path.startswith("/api/"):
        assert response.json() == {"detail": MSG_BAD_QUERY_PARAMETER}
    else:
        assert response.content.decode() == MSG_BAD_QUERY_PARAMETER


def test_weekly_report_for_week_0001_is_a_404(client_for, personas, country):
    url = f"/xep-hang/don-vi/{country.province_a.code}/bao-cao/0001-01-01.xlsx"
    assert client_for(personas.leader).get(url).status_code == 404


def test_a_target_of_two_to_the_31_is_refused_with_a_message(client_for, personas, country):
    response = client_for(personas.leader).post(
        f"/xep-hang/don-vi/{country.root.code}/chi-tieu/",
        {
            "action": "set",
            "unit": country.province_a.code,
            "starts_on": "2025-01-01",
            "ends_on": "2025-12-31",
            "count": str(2**31),
        },
    )
    assert response.status_code == 200
    assert not Target.objects.exists()


@pytest.mark.parametrize(
    ("path", "extra", "message"),
    [
        ("/don-vi/nhap/", {"all_or_nothing": "on"}, MSG_UNSUPPORTED_FORMAT),
        ("/xep-hang/don-vi/{root}/chi-tieu/", {"action": "import"}, MSG_UNSUPPORTED_FORMAT),
        ("/sang-kien/nhap/", {"mode": "all"}, MSG_UNSUPPORTED_FORMAT),
        ("/doan-vien/nhap/", {"unit": "{grassroots}"}, MSG_UNSUPPORTED_FORMAT),
    ],
)
def test_a_fake_pk_file_gets_a_clear_vietnamese_error(
    client_for, personas, country, path, extra, message
):
    from core.models import Job

    upload = SimpleUploadedFile("gia.xlsx", FAKE_XLSX)
    extra = {k: v.format(grassroots=country.grassroots_a.code) for k, v in extra.items()}
    response = client_for(personas.admin).post(
        path.format(root=country.root.code), {"file": upload, **extra}
    )
    # Refused at once with the reason, before any job keeps it.
    assert response.status_code == 200
    assert escape(message) in response.content.decode()
    assert not Job.objects.exists()


def test_the_table_reader_names_the_cell_with_a_nul():
    csv_file = io.BytesIO("code,name\nA1,Tên\x00 lạ\n".encode())
    assert list(TableReader(csv_file, "don-vi.csv")) == [
        (2, {"code": "A1", "name": "Tên\x00 lạ"}, MSG_CONTROL_CHARACTERS.format(column="name"))
    ]
    with pytest.raises(TableError) as error:
        list(TableReader(io.BytesIO(FAKE_XLSX), "gia.xlsx"))
    assert str(error.value) == MSG_UNSUPPORTED_FORMAT


def test_targets_import_refuses_2_to_the_31_year_1_and_odd_numbers(personas, country):
    scope = scope_for(personas.leader)
    rows = [
        {"ma_don_vi": country.province_a.code, "tu_ngay": "01/01/2025", "den_ngay": "31/12/2025"}
        | {"chi_tieu": value}
        for value in (str(2**31), "1e30", "sNaN", "²")
    ] + [
        {
            "ma_don_vi": country.province_a.code,
            "tu_ngay": "01/01/0001",
            "den_ngay": "31/12/2025",
            "chi_tieu": "10",
        }
    ]
    report = targets_import(scope=scope, actor=personas.leader, rows=numbered(rows))
    assert len(report.errors) == 5
    assert not Target.objects.exists()


def _initiative_csv(**overrides) -> RowSource:
    row = {
        "external_id": "X-1",
        "title": "Băng tải",
        "content": "Nội dung",
        "author_name": "Nguyễn Văn Tâm",
        "unit_code": "LDLD92-G01",
        "participant_group": "enterprise",
        "benefit_vnd": "1000000",
        "first_applied_on": "01/03/2025",
    } | overrides
    header = ",".join(row)
    values = ",".join('"' + str(v).replace('"', '""') + '"' for v in row.values())
    return RowSource(io.BytesIO(f"{header}\n{values}\n".encode()), "sang-kien.csv")


@pytest.mark.parametrize(
    "overrides",
    [
        {"title": "Băng\x00tải"},
        {"first_applied_on": "01/01/0001"},
        {"benefit_vnd": "1e30"},
        {"benefit_vnd": "sNaN"},
        {"author_percent": "NaN"},
    ],
)
def test_initiative_import_reports_odd_cells_as_row_errors(personas, country, overrides):
    report = import_initiatives(
        source=_initiative_csv(**overrides),
        actor=personas.officer_a,
        scope=scope_for(personas.officer_a, OFFICER_ROLES),
        all_or_nothing=True,
    )
    assert report.bad_row_count == 1
    assert not Initiative.objects.exists()


# --- fuzz: every query parameter, every form, every import column ------------------------

QUERY_PAGES = [
    ("anonymous", "/sang-kien/thu-vien/", ["q", "nam", "trang_thai", "linh_vuc", "don_vi", "tinh"]),
    ("anonymous", "/xep-hang/", ["group", "category", "format", "period", "year", "quarter"]),
    ("anonymous", "/xep-hang/", ["week", "start", "end", "field", "page"]),
    ("anonymous", "/xep-hang/khen-thuong/", ["year", "quarter"]),
    ("anonymous", "/api/v1/rankings/recognition/", ["year", "quarter"]),
    ("anonymous", "/api/v1/rankings/", ["group", "category", "period", "year", "week", "start"]),
    ("anonymous", "/api/v1/rankings/series/", ["period", "year", "quarter", "start", "end"]),
    ("worker_a", "/sang-kien/moi/", ["don_vi", "buoc"]),
    ("worker_a", "/sang-kien/cua-toi/", ["page"]),
    ("officer_a", "/sang-kien/danh-sach/", ["q", "nam", "trang_thai", "don_vi", "page"]),
    ("officer_a", "/sang-kien/ap-phich/", ["q", "page"]),
    ("officer_a", "/don-vi/", ["kind", "q", "page"]),
    ("reviewer_a", "/duyet/", ["unit", "field", "kind", "age", "mine", "page"]),
    ("leader", "/xep-hang/bang-dieu-khien/", ["period", "year", "quarter", "week", "start"]),
    ("leader", "/api/v1/initiatives/", ["status", "unit", "field", "year", "search", "page"]),
    ("leader", "/api/v1/units/", ["q", "kind", "page"]),
]


@pytest.mark.parametrize(("persona", "path", "names"), QUERY_PAGES)
def test_fuzz_query_parameters_never_answer_a_server_error(
    client_for, personas, persona, path, names
):
    client = client_for(personas.by_name(persona))

    @FUZZ
    @given(st.dictionaries(st.sampled_from(names), odd_text, min_size=1, max_size=len(names)))
    def probe(params):
        response = client.get(path, params)
        assert response.status_code < 500, (path, params)

    probe()


FORM_POSTS = [
    ("reviewer_a", "/duyet/hang-loat/", {"decision": "approve"}, ["ids", "reason", "query"]),
    ("admin", "/duyet/chinh-sach/", {"unit": "{province}"}, ["review_time_limit_days"]),
    (
        "admin",
        "/don-vi/{grassroots}/sap-xep/",
        {"action": "rename"},
        ["target_code", "new_name", "effective_date", "note"],
    ),
    ("anonymous", "/tai-khoan/dang-nhap/", {}, ["username", "password"]),
    ("anonymous", "/tai-khoan/quen-mat-khau/", {}, ["email"]),
    (
        "leader",
        "/xep-hang/don-vi/{root}/chi-tieu/",
        {"action": "set", "unit": "{province}"},
        ["starts_on", "ends_on", "count"],
    ),
    ("leader", "/xep-hang/don-vi/{root}/chi-tieu/", {"action": "cadence"}, ["every_days"]),
    ("leader", "/xep-hang/don-vi/{province}/bao-cao/", {}, ["week"]),
]


@pytest.mark.parametrize(("persona", "path", "fixed", "names"), FORM_POSTS)
def test_fuzz_ranking_forms_never_answer_a_server_error(
    client_for, personas, country, persona, path, fixed, names
):
    client = client_for(personas.by_name(persona))
    codes = {
        "root": country.root.code,
        "province": country.province_a.code,
        "grassroots": country.grassroots_a2.code,
    }
    url = path.format(**codes)
    fixed = {k: v.format(**codes) for k, v in fixed.items()}

    @FUZZ
    @given(st.fixed_dictionaries(dict.fromkeys(names, odd_text)))
    def probe(values):
        response = client.post(url, {**fixed, **values})
        assert response.status_code < 500, (url, values)

    probe()


INITIATIVE_FORM_FIELDS = [
    "title",
    "summary",
    "problem",
    "description",
    "first_applied_on",
    "benefit_vnd",
    "applied_benefit_vnd",
    "authors-0-full_name",
    "authors-0-date_of_birth",
    "authors-0-contribution_percent",
    "authors-TOTAL_FORMS",
    "step",
    "client_token",
]


def test_fuzz_the_initiative_form_never_answers_a_server_error(client_for, personas, country):
    from tests.initiatives.submission_helpers import form_data

    client = client_for(personas.worker_a)

    @FUZZ
    @given(
        st.dictionaries(st.sampled_from(INITIATIVE_FORM_FIELDS), odd_text, min_size=1),
        st.sampled_from(["draft", "submit"]),
    )
    def probe(values, action):
        response = client.post("/sang-kien/moi/", {**form_data(country.grassroots_a), **values})
        assert response.status_code < 500, values

    probe()


IMPORT_COLUMNS = [
    "external_id",
    "title",
    "content",
    "author_name",
    "author_percent",
    "author_birth_date",
    "unit_code",
    "participant_group",
    "benefit_vnd",
    "first_applied_on",
    "submitted_at",
    "field",
    "is_confidential",
]


def test_fuzz_every_import_column_gives_row_errors_not_server_errors(personas, country):
    scope = scope_for(personas.leader, OFFICER_ROLES)

    @FUZZ
    @given(st.dictionaries(st.sampled_from(IMPORT_COLUMNS), odd_text, min_size=1))
    def probe(cells):
        import_initiatives(
            source=_initiative_csv(**cells), actor=personas.leader, scope=scope, all_or_nothing=True
        )
        units_import(
            rows=numbered(
                [
                    {
                        "code": cells.get("external_id", "U-1"),
                        "name": cells.get("title", "Đơn vị"),
                        "parent_code": country.province_a.code,
                        "kind": cells.get("participant_group", "grassroots"),
                        "members": cells.get("benefit_vnd", "10"),
                    }
                ]
            ),
            scope=scope_for(personas.leader),
            actor=personas.leader,
        )
        targets_import(
            scope=scope_for(personas.leader),
            actor=personas.leader,
            rows=numbered(
                [
                    {
                        "ma_don_vi": cells.get("unit_code", country.province_a.code),
                        "tu_ngay": cells.get("first_applied_on", "01/01/2025"),
                        "den_ngay": cells.get("submitted_at", "31/12/2025"),
                        "chi_tieu": cells.get("benefit_vnd", "10"),
                    }
                ]
            ),
        )

    probe()


@pytest.mark.parametrize(("persona", "path", "names"), QUERY_PAGES)
def test_every_fuzzed_page_exists_for_its_persona(client_for, personas, persona, path, names):
    assert client_for(personas.by_name(persona)).get(path).status_code == 200
