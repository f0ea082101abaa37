"""Measuring on a busy machine: raise this process and its PostgreSQL backend's priority.

Used by the page benchmarks (`--priority`); needs root (a negative nice value)."""

from __future__ import annotations

import os
import subprocess


def raise_priority() -> None:
    """This process and the PostgreSQL backend of Django's connection at nice -15."""
    from django.db import connection

    os.nice(-15)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    subprocess.run(["renice", "-n", "-15", "-p", str(backend)], check=True, capture_output=True)
    print(f"priority raised: this process and PostgreSQL backend {backend} at nice -15")
