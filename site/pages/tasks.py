from django.utils import timezone
from django_tasks import task

from pages import services


@task()
def purge_callback_requests() -> int:
    """Delete phone numbers of callback requests that are done or older than seven days."""
    return services.callback_requests_purge(now=timezone.now())
