"""Background work of the friend service. Every task is idempotent: `manage.py sweep` may run
it twice. Listing never depends on these: expiry is a stored timestamp every query compares."""

from django.utils import timezone
from django_tasks import task

from friends import services


@task()
def notify_expired_profiles() -> int:
    return services.profiles_notify_expired(now=timezone.now())
