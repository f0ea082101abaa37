"""gunicorn's settings, read by `gunicorn -c gunicorn.conf.py config.wsgi` (the Docker
image, compose and `make prod-smoke`). Every value can be overridden from the environment."""

import multiprocessing
import os

# Bind from the environment: 0.0.0.0:8000 in the container, loopback in the smoke run.
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")

# Threads, not more processes: requests mostly wait on PostgreSQL and Redis, and each
# process holds its own copy of the app. Two processes per core at most, capped.
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count(), 8)))
threads = int(os.environ.get("GUNICORN_THREADS", 4))

# Load the app once in the master before forking: a process starts serving at once and
# a broken settings module (no SECRET_KEY) stops gunicorn instead of looping workers.
preload_app = True

# A request longer than this is killed (exports and reports run in Celery, not here).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 30
# The connection resets seen under load (issue 16) were this race: the server closed a
# keep-alive connection after 2 s idle just as a client, thinking 1-3 s between
# clicks, sent its next request on it. Idle connections wait in gthread's poller, not
# in a thread, so a longer keep-alive is cheap; a reverse proxy in front must keep
# its own upstream keep-alive shorter than this.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", 20))
# Recycle processes now and then, spread out, so a slow leak cannot grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = 200

# gunicorn's control socket (gunicornc) lives at one path per user: two instances on one
# machine would fight over it, and nothing here uses it.
control_socket_disable = True

# GUNICORN_ACCESSLOG="" turns the access log off (the load benchmark: a line per request).
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Behind the reverse proxy (TLS ends there): trust its X-Forwarded-* headers.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_fork(server, worker):
    # The master's database connections (from preloading) must not be shared.
    from django.db import connections

    connections.close_all()
