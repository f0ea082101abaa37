"""Password hashing tuned for a deadline rush.

Django's default PBKDF2 (1,000,000 iterations) cost 3-7 s of server time per login
under load: password checks were most of the web workers' CPU. Argon2id with the
OWASP minimum (19 MiB, 2 passes, one lane) costs about 25 ms of CPU here
(measured in docs/benchmarks.md) and stays memory-hard against offline guessing.
Existing PBKDF2 hashes are upgraded at the next successful login, because this
hasher comes first in PASSWORD_HASHERS.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class PortalArgon2PasswordHasher(Argon2PasswordHasher):
    # Same algorithm name as Django's, so hashes stay readable by the stock hasher;
    # must_update() notices parameter changes and rehashes at the next login.
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
