"""Files chosen on a form that came back with errors, kept so nobody has to pick them again.

When the initiative form cannot be saved (a field in error), nothing of it is saved, so
its files cannot become attachments yet. Each file is checked as an attachment would be
(type by content, size), written to storage under `kept-uploads/<user id>/`, and handed
back to the page as a signed token (`django.core.signing`) naming the person, the stored
path, the file's name and size. The page shows "Đã chọn: tên-tệp.pdf (giữ lại)" with a
box to drop it; the next save of the form attaches it to the draft in the same
transaction, and the stored copy is deleted once that commits.

A token is usable only by the person it was signed for, for `KEPT_UPLOAD_MAX_AGE`, and only
while its file is still there: another person's token, a tampered one or an old one is
ignored and the page says the file must be chosen again (the same rule as the form's
`client_token`: one person's token never reaches another's draft). Files left behind
(a form abandoned) are removed by `initiatives.tasks.sweep_orphan_files` after that age.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.core import signing
from django.core.files import File
from django.core.files.storage import default_storage
from django.utils.translation import gettext_noop

from initiatives import attachments as attachment_rules

FOLDER = "kept-uploads"
SALT = "initiatives.kept-upload"
KEPT_UPLOAD_MAX_AGE = dt.timedelta(days=1)
MSG_KEPT_FILE_GONE = gettext_noop(
    "Một tệp đã chọn trước đó không còn được giữ (quá hạn hoặc không thuộc về bạn); "
    "hãy chọn lại tệp nếu cần."
)


@dataclass(frozen=True)
class KeptUpload:
    token: str
    name: str
    size: int
    path: str


def _folder_of(user) -> str:
    return f"{FOLDER}/{user.pk}/"


def kept_upload_store(*, user, uploaded) -> KeptUpload:
    """Check one upload as an attachment and keep it for `user`; ValidationError if refused."""
    checked = attachment_rules.inspect_upload(uploaded)
    uploaded.seek(0)
    # Streamed in chunks, as an attachment is: never the whole file in memory.
    path = default_storage.save(
        f"{_folder_of(user)}{uuid.uuid4().hex}.{checked.extension}", uploaded
    )
    name = uploaded.name[:255]
    token = signing.dumps({"u": user.pk, "p": path, "n": name, "s": checked.size}, salt=SALT)
    return KeptUpload(token=token, name=name, size=checked.size, path=path)


def kept_upload_load(*, user, token: str) -> KeptUpload | None:
    """The kept file a token names, if it was kept for `user`, is recent and still stored."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=KEPT_UPLOAD_MAX_AGE.total_seconds())
    except signing.BadSignature:  # tampered, or expired (SignatureExpired is a subclass)
        return None
    path = payload.get("p", "")
    if payload.get("u") != user.pk or not path.startswith(_folder_of(user)) or ".." in path:
        return None
    if not default_storage.exists(path):
        return None
    return KeptUpload(token=token, name=payload["n"], size=payload["s"], path=path)


def kept_upload_open(kept: KeptUpload) -> File:
    """The kept file, named as the person's file was, for `services.attachment_add`."""
    handle = default_storage.open(kept.path, "rb")
    return File(handle, name=kept.name)


def kept_upload_discard(kept: KeptUpload) -> None:
    default_storage.delete(kept.path)
