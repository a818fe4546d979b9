"""A list built only when a page is read through it (ordrom.pagination.Built) pages as the
queryset does, deep pages included, and costs nothing when a page is read another way."""

from __future__ import annotations

import pytest
from django.utils import timezone

from ordrom import notifications, pagination
from ordrom.models import Notification
from ordrom.pagination import Built, CountedPaginator

pytestmark = pytest.mark.django_db


@pytest.fixture
def notified(member):
    for i in range(12):
        notifications.notify(
            recipient=member, kind="forum_reply", url=f"/forum/t/{i}/", now=timezone.now()
        )
    return member


def _listing(member):
    return Notification.objects.filter(recipient=member).order_by("-pk")


def test_pages_of_a_built_list_are_the_querysets_pages(notified, monkeypatch):
    monkeypatch.setattr(pagination, "DEEP_OFFSET", 5)  # pages 2 and on are deep
    built = Built(lambda: _listing(notified))
    counted = CountedPaginator(built, 5, count=12)
    plain = CountedPaginator(_listing(notified), 5, count=12)
    for number in (1, 2, 3):
        expected = [n.pk for n in pagination.page_rows(plain.page(number))]
        assert [n.pk for n in pagination.page_rows(counted.page(number))] == expected
        assert len(expected) == (5 if number < 3 else 2)
    assert CountedPaginator(Built(lambda: _listing(notified)), 5, count=3).num_pages == 1
    # Without a count told, the paginator counts through the built queryset.
    from django.core.paginator import Paginator

    assert Paginator(Built(lambda: _listing(notified)), 5).num_pages == 3


def test_a_page_read_another_way_builds_no_queryset(notified):
    built = []

    def build():
        built.append(1)
        return _listing(notified)

    page = CountedPaginator(Built(build), 5, count=12).page(2)
    assert page.number == 2 and page.has_next()
    assert built == []
    assert len(list(page.object_list)) == 5 and built == [1]
