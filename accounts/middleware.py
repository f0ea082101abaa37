"""Middleware of accounts: a half-made social profile is completed first; the session
list's "last seen" stays fresh."""

import time

from django.shortcuts import redirect
from django.utils import timezone


class ProfileCompletionMiddleware:
    """After a first social sign-in, the profile is completed before anything else."""

    ALLOWED_PREFIXES = ("/tai-khoan/", "/static/", "/i18n/", "/media/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_complete_profile", False)
            and not request.path.startswith(self.ALLOWED_PREFIXES)
        ):
            return redirect("complete-profile")
        return self.get_response(request)


class SessionActivityMiddleware:
    """Keeps "last seen" of the person's session list fresh, writing at most every few
    minutes (the time of the last write rides in the session itself)."""

    EVERY_SECONDS = 300
    SESSION_KEY = "_portal_seen"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and request.session.session_key:
            now = time.time()
            if now - request.session.get(self.SESSION_KEY, 0) > self.EVERY_SECONDS:
                from accounts.models import UserSession

                UserSession.objects.filter(session_key=request.session.session_key).update(
                    last_seen=timezone.now()
                )
                request.session[self.SESSION_KEY] = now
        return self.get_response(request)
