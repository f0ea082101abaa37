from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    """Long work done by a Celery task on a person's behalf (imports, reports), with progress."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Đang chờ")
        RUNNING = "running", _("Đang chạy")
        DONE = "done", _("Hoàn thành")
        FAILED = "failed", _("Lỗi")

    kind = models.CharField(_("loại"), max_length=40)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs"
    )
    # By name, not by import: core knows nothing of the tree beyond "a job may be for a unit".
    unit = models.ForeignKey(
        "federation.OrgUnit", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    state = models.CharField(
        _("trạng thái"), max_length=16, choices=State.choices, default=State.QUEUED
    )
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    # What the running job is doing ("validate", "write"), shown beside the bar.
    phase = models.CharField(max_length=16, blank=True)
    options = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    input_file = models.FileField(upload_to="jobs/in/%Y/%m/", blank=True)
    output_file = models.FileField(upload_to="jobs/out/%Y/%m/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Recovery (core/jobs.py): when the task was last handed to the broker (null: the
    # broker was down, the sweep will hand it over), which run owns the job, how many runs
    # started, the owner's last sign of life, and what its committed work left behind.
    enqueued_at = models.DateTimeField(null=True, blank=True)
    run_token = models.CharField(max_length=32, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    checkpoint = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("tác vụ nền")
        verbose_name_plural = _("tác vụ nền")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "kind"], name="job_state_kind")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(done__lte=models.F("total")) | models.Q(total=0),
                name="job_done_within_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.state})"

    @property
    def percent(self) -> int:
        return (
            int(100 * self.done / self.total)
            if self.total
            else (100 if self.state == self.State.DONE else 0)
        )
