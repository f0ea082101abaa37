"""The production processes on this machine, started as compose starts them (issue 16).

gunicorn with gunicorn.conf.py and Celery workers and beat, each in its own process
group with its log under a directory, stopped (SIGTERM, then SIGKILL after 30 s) when
the ExitStack they were started on closes. Used by the production smoke run
(scripts/prod_smoke.py), the production figures (bench/production.py) and the load
benchmark's `--serve` (bench/load.py), so the three run the same processes.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
EVERY_QUEUE = "checks,webcheck,imports,reports,mail,sweeps,default"


def say(message: str) -> None:
    print(f"[processes {time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(what: str, probe, timeout: float, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")


class Processes:
    """Start and stop the portal's processes with one environment and one log folder."""

    def __init__(self, stack: ExitStack, env: dict[str, str], logs: Path) -> None:
        self.stack = stack
        self.env = env
        self.logs = logs
        self.running: list[subprocess.Popen] = []

    def start(self, name: str, *command: str) -> subprocess.Popen:
        say(f"start {name}")
        self.logs.mkdir(parents=True, exist_ok=True)
        log = (self.logs / f"{name}.log").open("w")
        self.stack.callback(log.close)
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped with its children
        )
        self.running.append(process)
        self.stack.callback(self.stop, name, process)
        return process

    @staticmethod
    def stop(name: str, process: subprocess.Popen) -> None:
        if process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        say(f"stopped {name}")

    def gunicorn(self, name: str = "gunicorn") -> subprocess.Popen:
        """gunicorn.conf.py decides the rest (GUNICORN_BIND, GUNICORN_WORKERS in env)."""
        return self.start(name, str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "config.wsgi")

    def worker(
        self,
        name: str = "worker",
        *,
        queues: str = "",
        concurrency: int = 2,
        node: str = "",
        loglevel: str = "info",
    ) -> subprocess.Popen:
        """A Celery worker; without `queues` it consumes every queue (as compose's `worker`)."""
        command = [str(BIN / "celery"), "-A", "config", "worker"]
        if queues:
            command += ["-Q", queues]
        command += ["-n", node or f"{name}@%h", "-c", str(concurrency), "-l", loglevel]
        return self.start(name, *command)

    def beat(self) -> subprocess.Popen:
        return self.start("beat", str(BIN / "celery"), "-A", "config", "beat", "-l", "info")

    def all_alive(self) -> bool:
        """True while every process started here runs; raises when one has exited."""
        for process in self.running:
            if process.poll() is not None:
                raise AssertionError(f"{process.args[0]} exited with {process.returncode}")
        return True

    def wait_listening(self, port: int, timeout: float = 60) -> None:
        """gunicorn binds after loading the app (preload_app): listening means ready."""

        def listening():
            self.all_alive()
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                return True
            except OSError:
                return False

        wait_for(f"port {port} to listen", listening, timeout, interval=0.02)


def production_env(
    *, database_url: str, redis_url: str, http_port: int, email_url: str = "consolemail://"
) -> dict[str, str]:
    """The production settings on loopback: plain HTTP allowed, a throwaway secret key."""
    import secrets

    url = f"http://127.0.0.1:{http_port}"
    return {
        **{k: v for k, v in os.environ.items() if k not in {"DEBUG", "SENTRY_DSN"}},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "ALLOW_INSECURE_HTTP": "1",
        "ALLOWED_HOSTS": "127.0.0.1",
        "CSRF_TRUSTED_ORIGINS": url,
        "SITE_URL": url,
        "EMAIL_URL": email_url,
        "DEFAULT_FROM_EMAIL": "Cổng Sáng kiến <no-reply@sangkien.local>",
        "GUNICORN_BIND": f"127.0.0.1:{http_port}",
        "PYTHONUNBUFFERED": "1",
    }
