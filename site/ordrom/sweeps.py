"""Periodic work, without a periodic scheduler.

django-tasks has no periodic tasks, so cron (or a systemd timer) runs `manage.py sweep`
every few minutes, and the sweep enqueues every task an app registered here. Each task
must be idempotent (safe to run twice, or from two workers at once) and decide for itself
what is due from stored timestamps, so a missed or doubled sweep changes nothing.
"""

from __future__ import annotations

_tasks: dict[str, object] = {}


def register(name: str, task) -> None:
    """Register a django-tasks Task (taking no arguments) to be enqueued by every sweep."""
    _tasks[name] = task


def registered() -> dict[str, object]:
    return dict(sorted(_tasks.items()))


def enqueue_all() -> list[str]:
    names = []
    for name, task in registered().items():
        task.enqueue()
        names.append(name)
    return names
