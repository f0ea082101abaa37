import pytest
from django.http import Http404

from initiatives import selectors
from initiatives.filters import LibraryFilter
from initiatives.models import Initiative
from tests.factories import Role, UnitFactory, UserFactory, grant
from tests.initiatives.submission_helpers import make_initiative

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(country, personas):
    """One initiative of each kind the gate must tell apart, in provinces A and B."""
    return {
        "own_draft": make_initiative(
            unit=country.grassroots_a,
            entered_by=personas.worker_a,
            owner=personas.worker_a,
            title="Bản nháp của công nhân A",
        ),
        "checking_a": make_initiative(
            unit=country.grassroots_a2,
            entered_by=personas.officer_a,
            state="checking",
            title="Sáng kiến đang kiểm tra ở A",
        ),
        "approved_b": make_initiative(
            unit=country.grassroots_b,
            entered_by=personas.worker_b,
            owner=personas.worker_b,
            state="approved",
            reviewer=personas.reviewer_b,
            title="Sáng kiến cải tiến máy in Canon",
        ),
        "secret_a": make_initiative(
            unit=country.grassroots_a,
            entered_by=personas.grassroots_officer_a,
            state="approved",
            reviewer=personas.reviewer_a,
            confidential=True,
            title="Công thức ướp tôm bí mật",
        ),
    }


def titles(queryset) -> set[str]:
    return set(queryset.values_list("title", flat=True))


def test_worker_sees_only_what_they_own_enter_or_co_author(world, personas, country):
    assert titles(selectors.initiative_list(viewer=personas.worker_a)) == {
        "Bản nháp của công nhân A"
    }
    co_authored = make_initiative(
        unit=country.grassroots_a,
        entered_by=personas.grassroots_officer_a,
        state="checking",
        title="Đồng tác giả",
        author_user=personas.worker_a,
    )
    assert co_authored in selectors.initiative_list(viewer=personas.worker_a)
    assert co_authored in selectors.initiative_list_mine(viewer=personas.worker_a)


def test_scope_reaches_the_subtree_and_hides_other_provinces(world, personas):
    assert titles(selectors.initiative_list(viewer=personas.reviewer_b)) == {
        "Sáng kiến cải tiến máy in Canon"
    }
    seen_by_reviewer_a = titles(selectors.initiative_list(viewer=personas.reviewer_a))
    # Drafts are work in progress: only officers and their authors see them.
    assert seen_by_reviewer_a == {"Sáng kiến đang kiểm tra ở A", "Công thức ướp tôm bí mật"}
    assert "Bản nháp của công nhân A" in titles(
        selectors.initiative_list(viewer=personas.officer_a)
    )
    assert len(selectors.initiative_list(viewer=personas.leader)) == 3


def test_get_for_viewer_is_404_outside(world, personas):
    pk = world["checking_a"].pk
    assert selectors.initiative_get_for_viewer(viewer=personas.reviewer_a, pk=pk).pk == pk
    for outsider in (personas.reviewer_b, personas.worker_b, None):
        with pytest.raises(Http404):
            selectors.initiative_get_for_viewer(viewer=outsider, pk=pk)
    with pytest.raises(Http404):
        selectors.initiative_get_for_viewer(viewer=personas.officer_a, pk=999999)


def test_confidential_text_is_readable_only_in_its_chain(world, personas, country):
    secret = world["secret_a"]
    inside = [personas.reviewer_a, personas.officer_a, personas.grassroots_officer_a]
    outside = [personas.leader, personas.reviewer_b, personas.worker_a, personas.worker_b, None]
    for viewer in inside:
        assert selectors.can_read_confidential_text(viewer, secret), viewer
    for viewer in outside:
        assert not selectors.can_read_confidential_text(viewer, secret), viewer
    # An author with an account is in the chain; a reviewer of a sibling subtree is not.
    author = UserFactory()
    secret.authors.update(user=author)
    assert selectors.can_read_confidential_text(author, secret)
    sibling_upper = UnitFactory(code="LDLD92-U02", kind="upper", parent=country.province_a)
    sibling_reviewer = UserFactory()
    grant(sibling_reviewer, Role.REVIEWER, sibling_upper)
    assert not selectors.can_read_confidential_text(sibling_reviewer, secret)
    # Not confidential: the text goes wherever the initiative may be seen.
    assert selectors.can_read_confidential_text(None, world["approved_b"])


def test_the_q_version_agrees_with_the_function(world, personas):
    for viewer in (personas.reviewer_a, personas.leader, personas.reviewer_b, personas.worker_a):
        readable = set(
            Initiative.objects.filter(selectors.confidential_text_readable_q(viewer))
            .distinct()
            .values_list("pk", flat=True)
        )
        expected = {
            i.pk
            for i in Initiative.objects.all()
            if selectors.can_read_confidential_text(viewer, i)
        }
        assert readable == expected, viewer


def test_search_text_never_holds_confidential_text(world):
    secret = world["secret_a"]
    assert "cong thuc uop tom" in secret.search_text
    assert "bien tan" not in secret.search_text  # the description
    assert "42" not in secret.search_text


def test_library_lists_only_public_non_confidential(world, personas):
    assert titles(selectors.public_library()) == {"Sáng kiến cải tiến máy in Canon"}
    with pytest.raises(Http404):
        selectors.public_initiative_get(pk=world["checking_a"].pk)
    # A confidential approved one has a page (name, summary, award) but is never listed.
    assert selectors.public_initiative_get(pk=world["secret_a"].pk).is_confidential


def library(**params):
    """The public library narrowed by its filters (the page's and the API's names alike)."""
    return LibraryFilter(params, queryset=selectors.public_library()).qs


def test_library_search_ignores_accents_and_case(world, personas, country):
    make_initiative(
        unit=country.grassroots_a,
        entered_by=personas.worker_a,
        state="approved",
        reviewer=personas.reviewer_a,
        title="SÁNG KIẾN CẢI TIẾN quy trình cấp đông",
    )
    found = titles(library(search="sang kien cai tien"))
    assert found == {"Sáng kiến cải tiến máy in Canon", "SÁNG KIẾN CẢI TIẾN quy trình cấp đông"}
    assert titles(library(search="Quy Trình")) == {"SÁNG KIẾN CẢI TIẾN quy trình cấp đông"}
    assert not library(search="công thức ướp")


def test_library_filters(world, personas, country):
    b = world["approved_b"]
    assert titles(library(province="LDLD01")) == {b.title}
    assert not library(province="LDLD92")
    assert not library(province="LDLD01-G01")
    year = b.submitted_at.year
    assert b in library(year=year)
    assert not library(year=year - 1)
    assert b in library(field="che-bien")
    assert not library(field="khac")
    assert b in library(participant_group="enterprise")
    assert not library(participant_group="officials")


def test_units_for_entry(personas, country):
    assert list(selectors.units_for_entry(viewer=personas.worker_a)) == [country.grassroots_a]
    assert set(selectors.units_for_entry(viewer=personas.officer_a)) == {
        country.grassroots_a,
        country.grassroots_a2,
    }
    assert not selectors.units_for_entry(viewer=personas.reviewer_a).exists()
    assert list(selectors.poster_units(viewer=personas.grassroots_officer_a)) == [
        country.grassroots_a
    ]
    assert not selectors.poster_units(viewer=personas.reviewer_a).exists()


def test_can_edit(world, personas):
    draft = world["own_draft"]
    assert selectors.can_edit(personas.worker_a, draft)
    assert selectors.can_edit(personas.officer_a, draft)
    assert not selectors.can_edit(personas.reviewer_a, draft)
    assert not selectors.can_edit(personas.leader, draft)
    assert not selectors.can_edit(personas.officer_a, world["checking_a"])


@pytest.mark.parametrize(
    "page_params, api_params",
    [
        ({"don_vi": "LDLD01"}, {"unit": "LDLD01"}),
        ({"trang_thai": "approved"}, {"status": "approved"}),
        ({"q": "sang kien", "nam": "2099"}, {"search": "sang kien", "year": "2099"}),
        (
            {"linh_vuc": "che-bien", "nhom": "enterprise"},
            {"field": "che-bien", "participant_group": "enterprise"},
        ),
    ],
)
def test_the_list_page_and_the_api_filter_alike(client, world, personas, page_params, api_params):
    """One FilterSet behind both: the same filters give the same initiatives."""
    client.force_login(personas.leader)
    page = client.get("/sang-kien/danh-sach/", page_params)
    api = client.get("/api/v1/initiatives/", {**api_params, "page_size": 100})
    assert page.status_code == api.status_code == 200
    from_page = {i.pk for i in page.context["page"].object_list}
    from_api = {row["id"] for row in api.json()["results"]}
    assert from_page == from_api
    assert from_page <= {i.pk for i in world.values()}
