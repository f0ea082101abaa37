import factory
from factory.django import DjangoModelFactory

from federation.models import OrgUnit, UnitKind
from federation.services import unit_create
from portal.models import Role, RoleAssignment, User


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
