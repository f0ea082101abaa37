"""Infrastructure tables every app may use: background jobs, the mail outbox, notices."""

from core.models.jobs import Job
from core.models.notices import Notice
from core.models.outbox import OutboxEmail

__all__ = ["Job", "Notice", "OutboxEmail"]
