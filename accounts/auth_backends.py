from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from accounts.models import normalize_phone


class EmailOrPhoneBackend(ModelBackend):
    """Sign in with an email address or a Vietnamese phone number."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        user_model = get_user_model()
        login = username.strip()
        if "@" in login:
            user = user_model.objects.filter(email__iexact=login).first()
        else:
            user = user_model.objects.filter(phone=normalize_phone(login)).first()
        if user is None:
            # Same cost as a real check, so timing does not reveal who has an account.
            user_model().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
