from django.conf import settings

from ordrom import roles


def ordrom(request):
    """Values the base layout needs on every page."""
    user = getattr(request, "user", None)
    return {
        "is_staff_member": bool(user and roles.is_staff(user)),
        "quick_exit_url": settings.ORDROM_QUICK_EXIT_URL,
    }
