from django.conf import settings
from django.utils.functional import SimpleLazyObject

from ordrom import notifications, roles
from pages.chrome import site_chrome


def ordrom(request):
    """Values the base layout needs on every page.

    The unread count is lazy: one COUNT query, only for a signed-in user and only on pages
    whose template shows it (the Wagtail admin does not).
    """
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    return {
        "is_staff_member": bool(user and roles.is_staff(user)),
        "quick_exit_url": settings.ORDROM_QUICK_EXIT_URL,
        # The crisis strip and help links: one cache read, only where the template shows them.
        "chrome": SimpleLazyObject(site_chrome),
        "unread_notifications": (
            SimpleLazyObject(lambda: notifications.unread_count(recipient=user)) if signed_in else 0
        ),
    }
