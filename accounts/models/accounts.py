"""People and the roles they hold at units of the union tree."""

import re

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.text import fold_accents, normalize_vietnamese
from federation.models import OrgUnit


def normalize_phone(raw: str) -> str:
    """Vietnamese mobile numbers in one form: digits only, leading 0 (not +84)."""
    digits = re.sub(r"\D", "", raw or "")
    if digits.startswith("84") and len(digits) >= 11:
        digits = "0" + digits[2:]
    return digits


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, phone, password, **extra):
        email = self.normalize_email(email) or None
        phone = normalize_phone(phone) or None
        if not email and not phone:
            raise ValueError("A user needs an email address or a phone number.")
        user = self.model(email=email, phone=phone, **extra)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, *, phone=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, phone, password, **extra)

    def create_superuser(self, email=None, password=None, *, phone=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("full_name", email or phone or "admin")
        return self._create_user(email, phone, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an email address or a phone number."""

    email = models.EmailField(_("email"), unique=True, null=True, blank=True)
    phone = models.CharField(_("số điện thoại"), max_length=16, unique=True, null=True, blank=True)
    full_name = models.CharField(_("họ và tên"), max_length=150)
    date_of_birth = models.DateField(_("ngày sinh"), null=True, blank=True)
    job_title = models.CharField(_("chức danh"), max_length=150, blank=True)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    is_staff = models.BooleanField(_("quản trị hệ thống (trang admin)"), default=False)
    date_joined = models.DateTimeField(_("ngày tạo"), default=timezone.now)
    # Chosen with the language switch; notices and emails to this person use it.
    language = models.CharField(
        _("ngôn ngữ"), max_length=8, choices=settings.LANGUAGES, blank=True, default=""
    )
    # Signed in first with Zalo, Google or Facebook: date of birth, phone and union are
    # still to be given, before anything else (accounts.middleware.ProfileCompletionMiddleware).
    must_complete_profile = models.BooleanField(default=False, editable=False)
    # Name, email and phone folded (no accents, lower case) for officers' member search.
    search_name = models.CharField(max_length=420, blank=True, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")
        constraints = [
            models.CheckConstraint(
                # A social sign-in may bring neither; the completion step then asks a phone.
                condition=Q(email__isnull=False)
                | Q(phone__isnull=False)
                | Q(must_complete_profile=True),
                name="user_has_email_or_phone",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email or self.phone or f"#{self.pk}"

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email) or None
        self.phone = normalize_phone(self.phone or "") or None

    def save(self, *args, **kwargs):
        self.search_name = fold_accents(
            normalize_vietnamese(" ".join(filter(None, [self.full_name, self.email, self.phone])))
        )[:420]
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"full_name", "email", "phone"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_name"}
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split()[-1] if self.full_name else ""

    @property
    def preferred_language(self) -> str:
        """The language to write to this person in (the portal's own until they choose)."""
        return self.language or settings.LANGUAGE_CODE

    @property
    def login_name(self) -> str:
        return self.email or self.phone or ""


class Role(models.TextChoices):
    MEMBER = "member", _("Đoàn viên")
    GRASSROOTS_OFFICER = "grassroots_officer", _("Cán bộ công đoàn cơ sở")
    UNIT_OFFICER = "unit_officer", _("Cán bộ đơn vị")
    REVIEWER = "reviewer", _("Người duyệt")
    LEADERSHIP = "leadership", _("Lãnh đạo")
    ADMIN = "admin", _("Quản trị hệ thống")


class RoleAssignment(models.Model):
    """One role a person holds at one unit. The unit's subtree is what the role reaches."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("vai trò"), max_length=24, choices=Role.choices)
    granted_at = models.DateTimeField(_("ngày giao"), default=timezone.now)

    class Meta:
        verbose_name = _("vai trò")
        verbose_name_plural = _("vai trò")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="role_unique_per_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit}"
