"""Request body limits: an upload over the limit is refused early, never read in full.

`RequestSizeLimitMiddleware` (portal.middleware) refuses a declared Content-Length
over the limit before anything reads the body. `CappedUploadHandler` counts what
actually streams in (a missing or lying Content-Length) and stops at the limit.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler


def body_limit_for(path: str) -> int:
    if any(path.startswith(prefix) for prefix in settings.IMPORT_PATH_PREFIXES):
        return settings.IMPORT_REQUEST_BODY_MAX_BYTES
    return settings.REQUEST_BODY_MAX_BYTES


class CappedUploadHandler(FileUploadHandler):
    """First in FILE_UPLOAD_HANDLERS: counts every file byte of the request."""

    def __init__(self, request=None):
        super().__init__(request)
        self.limit = body_limit_for(request.path if request is not None else "")
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            raise RequestDataTooBig("Upload larger than the request body limit.")
        return raw_data

    def file_complete(self, file_size):
        return None
