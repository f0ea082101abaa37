"""CPU cost of one login's password check, per hasher (issue 16).

A deadline rush is a login burst: the password check is the one deliberately slow
step of a login. This measures the CPU time (user + system, this process) of
`check_password` for the portal's Argon2id parameters and for Django's PBKDF2
default, which the portal used before.

    .venv/bin/python bench/password_hash.py --rounds 50
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import get_hasher  # noqa: E402

HASHERS = ["argon2", "pbkdf2_sha256"]


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(algorithm: str, rounds: int) -> tuple[list[float], list[float]]:
    hasher = get_hasher(algorithm)
    encoded = hasher.encode("matkhau-An-toan-123", hasher.salt())
    cpu, wall = [], []
    for _ in range(rounds):
        cpu0, wall0 = _cpu_seconds(), time.perf_counter()
        assert hasher.verify("matkhau-An-toan-123", encoded)
        cpu.append((_cpu_seconds() - cpu0) * 1000)
        wall.append((time.perf_counter() - wall0) * 1000)
    return cpu, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    print(
        f"{'hasher':<16}{'params':<28}{'CPU ms median':>14}{'CPU ms p95':>12}{'wall ms median':>16}"
    )
    for algorithm in HASHERS:
        hasher = get_hasher(algorithm)
        params = (
            f"m={hasher.memory_cost},t={hasher.time_cost},p={hasher.parallelism}"
            if algorithm == "argon2"
            else f"iterations={hasher.iterations}"
        )
        cpu, wall = measure(algorithm, args.rounds)
        p95 = sorted(cpu)[int(0.95 * (len(cpu) - 1))]
        print(
            f"{algorithm:<16}{params:<28}{statistics.median(cpu):>14.1f}{p95:>12.1f}"
            f"{statistics.median(wall):>16.1f}"
        )


if __name__ == "__main__":
    main()
