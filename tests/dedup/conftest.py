from decimal import Decimal

import pytest

from initiatives import services
from initiatives.models import ParticipantGroup
from tests.factories import decree_fields


@pytest.fixture(autouse=True)
def fresh_archive(empty_archive):
    """Each test starts from an empty archive (see `empty_archive` in tests/conftest.py)."""
    yield


@pytest.fixture
def hand_in(country):
    """hand_in(author, text, ...) -> an initiative in `checking`, as after a submission."""

    def make(
        author,
        description,
        *,
        title="Sáng kiến",
        unit=None,
        co_author=None,
        confidential=False,
        member_name=None,
    ):
        authors = []
        if member_name:
            authors.append(services.AuthorData(member_name, Decimal(100)))
        else:
            share = Decimal(50) if co_author else Decimal(100)
            authors.append(services.AuthorData(author.full_name, share, user_id=author.pk))
            if co_author:
                authors.append(
                    services.AuthorData(co_author.full_name, Decimal(50), user_id=co_author.pk)
                )
        draft = services.initiative_save_draft(
            entered_by=author,
            data={
                **decree_fields(),
                "title": title,
                "description": description,
                "participant_group": ParticipantGroup.ENTERPRISE,
                "unit": unit or country.grassroots_a,
                "owner": None if member_name else author,
                "is_confidential": confidential,
            },
            authors=authors,
        )
        return services.initiative_submit(initiative=draft, actor=author)

    return make
