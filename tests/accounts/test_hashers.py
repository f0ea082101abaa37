import pytest
from django.contrib.auth.hashers import make_password
from django.test import override_settings

from config.settings.base import PASSWORD_HASHERS as PRODUCTION_HASHERS

pytestmark = pytest.mark.django_db

ARGON2_PREFIX = "argon2$argon2id$v=19$m=19456,t=2,p=1$"


@override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS)
def test_new_passwords_are_hashed_with_argon2id_at_the_measured_cost(personas):
    worker = personas.worker_a
    worker.set_password("matkhau-An-toan-123")
    worker.save(update_fields=["password"])
    worker.refresh_from_db()
    assert worker.password.startswith(ARGON2_PREFIX)
    assert worker.check_password("matkhau-An-toan-123")


@override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS)
def test_an_old_pbkdf2_hash_is_upgraded_at_the_next_login(client, personas):
    worker = personas.worker_a
    worker.password = make_password("matkhau-An-toan-123", hasher="pbkdf2_sha256")
    worker.save(update_fields=["password"])

    response = client.post(
        "/tai-khoan/dang-nhap/",
        {"username": worker.email, "password": "matkhau-An-toan-123"},
    )

    assert response.status_code == 302
    worker.refresh_from_db()
    assert worker.password.startswith(ARGON2_PREFIX)


@override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS)
def test_a_wrong_password_does_not_upgrade_the_hash(client, personas):
    worker = personas.worker_a
    old_hash = make_password("matkhau-An-toan-123", hasher="pbkdf2_sha256")
    worker.password = old_hash
    worker.save(update_fields=["password"])

    client.post("/tai-khoan/dang-nhap/", {"username": worker.email, "password": "sai"})

    worker.refresh_from_db()
    assert worker.password == old_hash
