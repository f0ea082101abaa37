"""Files kept from a form with errors (issue 14): a kept file's token is bound to the person
it was kept for, like the form's `client_token` (test_idempotency): another worker's token,
a tampered or an expired one attaches nothing, and the owner's file is left alone."""

import datetime as dt
import os
import time

import pytest
from django.core import signing
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from initiatives import kept_uploads, views
from initiatives.models import Initiative
from initiatives.tasks import sweep_orphan_files
from tests.initiatives.submission_helpers import form_data, minimal_pdf

pytestmark = pytest.mark.django_db

CREATE = "/sang-kien/moi/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _kept_for(client, country):
    data = form_data(country.grassroots_a, title="")
    data["files"] = SimpleUploadedFile(
        "bi-mat.pdf", minimal_pdf("Ban ve bi mat"), content_type="application/pdf"
    )
    response = client.post(CREATE, data)
    [kept] = response.context["kept_files"]
    return kept


def test_another_workers_kept_file_token_attaches_nothing(client_for, personas, country):
    kept = _kept_for(client_for(personas.worker_a), country)
    attacker = client_for(personas.worker_b)
    response = attacker.post(CREATE, form_data(country.grassroots_b, kept_files=[kept.token]))
    html = response.content.decode()
    # The attacker's draft is saved without the file, and the page says a kept file was
    # not usable (never whose it was).
    draft = Initiative.objects.get(entered_by=personas.worker_b)
    assert not draft.attachments.exists()
    assert kept_uploads.MSG_KEPT_FILE_GONE in html
    assert "bi-mat.pdf" not in html
    # The owner's kept file is untouched and still theirs to use.
    assert default_storage.exists(kept.path)
    owner = client_for(personas.worker_a)
    assert (
        owner.post(CREATE, form_data(country.grassroots_a, kept_files=[kept.token])).status_code
        == 302
    )
    mine = Initiative.objects.get(entered_by=personas.worker_a)
    assert list(mine.attachments.values_list("original_name", flat=True)) == ["bi-mat.pdf"]


def test_a_tampered_or_expired_token_is_refused(client_for, personas, country, monkeypatch):
    client = client_for(personas.worker_a)
    kept = _kept_for(client, country)
    # Pointing a token of one's own at another person's folder needs the signing key.
    payload = signing.loads(kept.token, salt=kept_uploads.SALT)
    forged = kept.token.replace(kept.token.split(":")[0], "x")
    assert kept_uploads.kept_upload_load(user=personas.worker_a, token=forged) is None
    other = signing.dumps(dict(payload, p=f"kept-uploads/{personas.worker_b.pk}/a.pdf"))
    assert kept_uploads.kept_upload_load(user=personas.worker_a, token=other) is None
    # Re-signed for someone else's folder with the right salt still fails the folder check.
    resigned = signing.dumps(
        dict(payload, p=f"kept-uploads/{personas.worker_b.pk}/a.pdf"), salt=kept_uploads.SALT
    )
    assert kept_uploads.kept_upload_load(user=personas.worker_a, token=resigned) is None
    monkeypatch.setattr(kept_uploads, "KEPT_UPLOAD_MAX_AGE", dt.timedelta(seconds=-1))
    assert kept_uploads.kept_upload_load(user=personas.worker_a, token=kept.token) is None
    html = client.post(CREATE, form_data(country.grassroots_a, kept_files=[kept.token]))
    assert not Initiative.objects.get().attachments.exists()
    assert views.MSG_DRAFT_SAVED_FILES_REFUSED in html.content.decode()


def test_kept_files_left_behind_are_swept_once_expired(client_for, personas, country):
    kept = _kept_for(client_for(personas.worker_a), country)
    fresh = _kept_for(client_for(personas.worker_a), country)
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(default_storage.path(kept.path), (two_days_ago, two_days_ago))
    assert sweep_orphan_files() >= 1
    assert not default_storage.exists(kept.path)
    assert default_storage.exists(fresh.path)
