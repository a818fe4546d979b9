"""Background work of letters. Every task is idempotent: `manage.py sweep` may run it twice."""

from django.utils import timezone
from django_tasks import task

from letters import notifications, services


@task()
def notify_writer(thread_id: int) -> bool:
    """Tell a writer who gave an email address that an answer is waiting (no letter text)."""
    return notifications.answer_waiting(thread_id=thread_id)


@task()
def close_quiet_threads() -> int:
    return services.threads_close_quiet(now=timezone.now())


@task()
def delete_expired_threads() -> int:
    return services.threads_delete_expired(now=timezone.now())


@task()
def send_deadline_digest() -> int:
    return notifications.deadline_digest(now=timezone.now())
