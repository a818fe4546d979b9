"""Opening the chat for a test, as an editor would in the Wagtail settings.

The opening hours are data, so a test that needs the chat open writes hours. Each helper is
self-contained (its imports are inside it) so that the same function can run in the test's
own process or, through `shell_code`, be sent as source to `manage.py shell` against a live
server's database (tests/proof, tests/e2e), where the tests folder is not importable.
"""

from __future__ import annotations

import inspect
import textwrap


def chat_open_all_day(settings=None):
    """Replace the site's weekly chat hours with 00:00 to the end of the day, every day.
    *settings* is the site's `SiteSettings`; by default the default site's."""
    import datetime as dt

    from wagtail.models import Site

    from pages.models import ChatOpeningHours, SiteSettings

    if settings is None:
        settings = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    ChatOpeningHours.objects.filter(settings=settings).delete()
    for weekday in range(7):
        ChatOpeningHours.objects.create(
            settings=settings, weekday=weekday, opens=dt.time(0, 0), closes=dt.time.max
        )
    return settings


def chat_open_today_and_tomorrow(note: str, settings=None):
    """Open the chat all day today and tomorrow (Europe/Oslo) with dated exceptions marked
    *note*, leaving the weekly hours alone; delete them by *note* afterwards. For a live
    server's database shared by several tests."""
    import datetime as dt

    from django.utils import timezone
    from wagtail.models import Site

    from pages.models import ChatHoursException, SiteSettings

    if settings is None:
        settings = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    today = timezone.localdate()
    for day in (today, today + dt.timedelta(days=1)):
        ChatHoursException.objects.create(
            settings=settings,
            date=day,
            closed=False,
            opens=dt.time(0, 0),
            closes=dt.time.max,
            note=note,
        )
    return settings


def shell_code(helper, **kwargs) -> str:
    """Python source that defines *helper* and calls it with *kwargs* (literals), for
    `manage.py shell -c`; it sets ``result = None`` for shells that read a result back."""
    arguments = ", ".join(f"{name}={value!r}" for name, value in kwargs.items())
    return (
        textwrap.dedent(inspect.getsource(helper))
        + f"\n{helper.__name__}({arguments})\nresult = None\n"
    )
