"""Background work of the chat. Every task is idempotent: `manage.py sweep` may run it twice."""

from django.utils import timezone
from django_tasks import task

from chat import services


@task()
def expire_waiting_places() -> int:
    """Places kept for a member whose page went away, and not taken back in time."""
    return len(services.waiting_expire(now=timezone.now()))


@task()
def delete_expired_conversations() -> int:
    return services.conversations_delete_expired(now=timezone.now())
