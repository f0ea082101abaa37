import factory
from factory.django import DjangoModelFactory

from accounts.models import Role, RoleAssignment, User
from federation.models import OrgUnit, UnitKind
from federation.services import unit_create


class UnitFactory(DjangoModelFactory):
    """Units are created through the service so their placement history exists too."""

    class Meta:
        model = OrgUnit

    code = factory.Sequence(lambda n: f"U{n:05d}")
    name = factory.LazyAttribute(lambda o: f"Công đoàn {o.code}")
    kind = UnitKind.GRASSROOTS
    parent = None
    member_count = 100

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return unit_create(**kwargs)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.vn")
    full_name = factory.Faker("name", locale="vi_VN")
    password = factory.PostGenerationMethodCall("set_password", "matkhau-An-toan-123")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def grant(user: User, role: str, unit: OrgUnit) -> RoleAssignment:
    assignment = RoleAssignment.objects.create(user=user, role=role, unit=unit)
    user.__dict__.pop("_scope_cache", None)
    user.__dict__.pop("_role_assignments", None)
    return assignment


__all__ = ["UnitFactory", "UserFactory", "grant", "Role", "UnitKind"]


# Short on purpose: the same words in every test initiative must stay far below what the
# similarity check flags as copied (a passage of 100 characters).
DECREE_TEXT = {
    "problem": "Chậm.",
    "description": "Cải tiến.",
    "application_scope": "Xưởng.",
    "summary": "Nhanh hơn.",
    "benefit_text": "Có lợi.",
}
DECREE_FIELD_CODE = "chung"


def decree_field():
    from initiatives.models import Field

    return Field.objects.get_or_create(code=DECREE_FIELD_CODE, defaults={"name": "Chung"})[0]


def decree_fields(**overrides) -> dict:
    """What Decree 13/2012 needs before an initiative is handed in (`initiatives.validation`),
    for tests whose subject is something else; `overrides` win."""
    import datetime as dt

    values = {
        **DECREE_TEXT,
        "field": decree_field(),
        "first_applied_on": dt.date(2024, 1, 15),
    }
    values.update(overrides)
    return values


def decree_columns(**overrides) -> dict:
    """The same as import cells (the description is the `content` column)."""
    decree_field()
    cells = {k: v for k, v in DECREE_TEXT.items() if k != "description"}
    cells.update(field=DECREE_FIELD_CODE, first_applied_on="15/01/2024")
    cells.update(overrides)
    return cells
