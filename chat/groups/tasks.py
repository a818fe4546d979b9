"""Background work of the group sessions. Idempotent: `manage.py sweep` may run it twice."""

from django.utils import timezone
from django_tasks import task

from chat.groups import services


@task()
def generate_sessions() -> int:
    return services.sessions_generate(now=timezone.now())


@task()
def close_ended_sessions() -> int:
    """Close rooms whose hour is over: their transcripts must not outlive the session."""
    return services.sessions_close_ended(now=timezone.now())
