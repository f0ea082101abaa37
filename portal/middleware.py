from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.parsing import has_control_characters
from core.uploads import body_limit_for

MSG_BAD_QUERY_PARAMETER = gettext_noop(
    "Địa chỉ chứa ký tự không hợp lệ; hãy kiểm tra lại đường dẫn hoặc ô tìm kiếm."
)
MSG_API_NOT_FOUND = gettext_noop("Không tìm thấy.")
MSG_REQUEST_TOO_LARGE = gettext_noop(
    "Dữ liệu gửi lên quá lớn (tối đa {limit} MB); hãy gửi tệp nhỏ hơn hoặc ít tệp hơn."
)


class PortalLanguageMiddleware:
    """Vietnamese unless the person chose another language with the switcher.

    Django's LocaleMiddleware would follow the browser's Accept-Language, and many
    people in Vietnam use browsers set to English; the portal is Vietnamese first.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        try:
            response = self.get_response(request)
        finally:
            # The thread serves other requests next (and in tests, other tests): none
            # of them inherits this person's language.
            translation.deactivate()
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response


def _refusal(request, message: str, status: int) -> HttpResponse:
    """The API answers errors as DRF does ({"detail": ...}); pages in plain text."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


class PrivateCacheMiddleware:
    """`Cache-Control: private, no-store` on every page served to a signed-in person.

    A shared phone's back button or a proxy's cache must not bring back someone's
    drafts, review queue or a form's idempotency token.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response


class RequestSizeLimitMiddleware:
    """Refuse a body whose declared Content-Length is over the limit (413), unread.

    Without it a 300 MB upload was read in full (and spooled to disk) before the
    form said it was too big. Bodies without a Content-Length are counted while
    they stream by core.uploads.CappedUploadHandler.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        limit = body_limit_for(request.path)
        if declared > limit:
            message = _(MSG_REQUEST_TOO_LARGE).format(limit=limit // (1024 * 1024))
            return _refusal(request, message, 413)
        return self.get_response(request)


class QueryParameterMiddleware:
    """Refuse (400) a query string carrying NUL or other control characters.

    One place for every page and API list: PostgreSQL refuses NUL in a string, so
    `?q=%00` used to reach a query and answer 500 on 18 parameters.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for key, values in request.GET.lists():
            if any(has_control_characters(v, multiline=False) for v in [key, *values]):
                return _refusal(request, _(MSG_BAD_QUERY_PARAMETER), 400)
        return self.get_response(request)


class ApiJsonErrorsMiddleware:
    """An /api/ address that matches no route (e.g. `/api/v1/review/cases/-1/decide/`)
    answers 404 in JSON, as the API's own 404s do, not Django's HTML page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code == 404
            and response.get("Content-Type", "").startswith("text/html")
        ):
            return JsonResponse({"detail": _(MSG_API_NOT_FOUND)}, status=404)
        return response
