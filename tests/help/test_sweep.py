"""`manage.py sweep` enqueues the registered periodic tasks; the callback purge is one."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from pages.models import CallbackRequest


def make_request(*, created_at, status="waiting"):
    return CallbackRequest.objects.create(
        phone="91234567",
        about="Vil gjerne prate",
        preferred_date=created_at.date(),
        window="09-12",
        status=status,
        created_at=created_at,
        updated_at=created_at,
        done_at=created_at if status not in CallbackRequest.OPEN else None,
    )


@pytest.mark.django_db
def test_sweep_deletes_numbers_older_than_a_week_and_keeps_recent_ones():
    now = timezone.now()
    old = make_request(created_at=now - dt.timedelta(days=8))
    recent = make_request(created_at=now - dt.timedelta(days=2))
    out = StringIO()

    call_command("sweep", stdout=out)

    old.refresh_from_db()
    recent.refresh_from_db()
    assert "pages.purge_callback_requests" in out.getvalue()
    assert old.phone == "" and old.about == "" and old.purged_at is not None
    assert old.status == CallbackRequest.Status.CLOSED
    assert recent.phone == "91234567"
    assert CallbackRequest.objects.count() == 2  # rows stay, for counts


@pytest.mark.django_db
def test_running_the_sweep_twice_changes_nothing_more():
    now = timezone.now()
    old = make_request(created_at=now - dt.timedelta(days=9))
    call_command("sweep", stdout=StringIO())
    old.refresh_from_db()
    first = (old.purged_at, old.updated_at, old.status)

    call_command("sweep", stdout=StringIO())

    old.refresh_from_db()
    assert (old.purged_at, old.updated_at, old.status) == first
