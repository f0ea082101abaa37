"""Periodic tasks, declared in code. `manage.py setup_periodic_tasks` writes them into
django-celery-beat's tables; nobody creates them by hand in the admin.

Each entry: name -> (task path, crontab fields in Asia/Ho_Chi_Minh time, kwargs).
"""

PERIODIC_TASKS: dict[str, tuple[str, dict, dict]] = {
    "dedup: sweep unchecked initiatives": ("dedup.tasks.sweep_unchecked", {"minute": "*/5"}, {}),
    "initiatives: re-extract pending attachment text": (
        "initiatives.tasks.sweep_pending_attachment_text",
        {"minute": "*/5"},
        {},
    ),
    # Imports whose worker was killed, or whose upload met a broker that was down.
    "core: resume or fail interrupted jobs": ("core.tasks.sweep_jobs", {"minute": "*"}, {}),
    "core: resend pending emails": ("core.tasks.resend_pending_outbox", {"minute": "*/5"}, {}),
    "initiatives: remove files left by interrupted uploads": (
        "initiatives.tasks.sweep_orphan_files",
        {"minute": "15"},
        {},
    ),
    "dedup: compact the archive index": (
        "dedup.tasks.compact_similarity_index",
        {"minute": "30", "hour": "2"},
        {},
    ),
}

# Rankings (rankings): Monday snapshot, then the weekly reports; reminders daily.
PERIODIC_TASKS.update(
    {
        "rankings: weekly snapshot": (
            "rankings.tasks.snapshot_weekly_rankings",
            {"minute": "5", "hour": "0", "day_of_week": "1"},
            {},
        ),
        "rankings: weekly reports": (
            "rankings.tasks.generate_weekly_reports",
            {"minute": "30", "hour": "0", "day_of_week": "1"},
            {},
        ),
        # Nightly, before the 02:30 index compaction: recount, repair, report any drift.
        "rankings: reconcile the counters": (
            "rankings.tasks.reconcile_counters",
            {"minute": "15", "hour": "1"},
            {},
        ),
        "rankings: reminders to lagging units": (
            "rankings.tasks.send_lagging_reminders",
            {"minute": "0", "hour": "7"},
            {},
        ),
    }
)
