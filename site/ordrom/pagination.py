"""Deep pages of long lists without reading every earlier row.

A page is ``ORDER BY … LIMIT n OFFSET k``: the database reads, joins and throws away the k
rows before it. For the first pages that costs nothing worth a second thought; at page 50 of
the reply queue it was most of the query (10 ms). From ``DEEP_OFFSET`` on, ``page_rows``
takes the page's ids first, from the list's index alone, and reads and joins only those
rows, in one query (``pk IN (SELECT id … LIMIT n OFFSET k)``). On the first pages that
subquery would cost more to build than it saves, so they keep the plain slice.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.functional import SimpleLazyObject

DEEP_OFFSET = 100


class CountedPaginator(Paginator):
    """A paginator told its count (a kept counter, or one read with other questions) instead
    of running COUNT(*) over the list."""

    def __init__(self, object_list, per_page, *, count: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


class Built:
    """The list a paginator pages through, as a function that builds its queryset: built
    only when a page's rows are read through it (``Paginator.page`` slices its list at
    once). A page read by SQL compiled once (ordrom.prepared) then costs no queryset:
    building the forum's and the friend service's listings through the ORM, never to run
    them, was a twentieth of their pages."""

    def __init__(self, build: Callable[[], QuerySet]):
        self._build = build

    @cached_property
    def queryset(self) -> QuerySet:
        return self._build()

    def __getitem__(self, index):
        return SimpleLazyObject(lambda: self.queryset[index])

    def count(self) -> int:
        return self.queryset.count()


def page_rows(
    page: Page,
    *,
    ids_from: QuerySet | Callable[[], QuerySet] | None = None,
    rows_from: QuerySet | Callable[[], QuerySet] | None = None,
) -> QuerySet:
    """The rows of *page*, a page of a Paginator over an ordered queryset (of models or of
    values), in the list's order.

    *ids_from*: the same rows in the same order without what only the shown values need. A
    ``values()`` queryset keeps the joins of its values when asked for ids alone, so the walk
    would still join every earlier row (the reply queue's page 50 looked up 2 450 threads for
    their subjects it never showed).

    *rows_from*: what a row shows and the list's order, without the list's filters: the page's
    rows are then looked up by id alone. With the filters repeated around the ids, SQLite
    walked the whole listing in order again to find the page's twenty rows (friend browse).

    Either may be given as a function that builds it: it is then built only for a deep
    page."""
    paginator = page.paginator
    offset = (page.number - 1) * paginator.per_page
    if offset < DEEP_OFFSET:
        return page.object_list
    if callable(ids_from):
        ids_from = ids_from()
    if callable(rows_from):
        rows_from = rows_from()
    rows = paginator.object_list
    if isinstance(rows, Built):
        rows = rows.queryset
    source = rows if ids_from is None else ids_from
    ids = source.values_list("pk", flat=True)[offset : offset + paginator.per_page]
    return (rows if rows_from is None else rows_from).filter(pk__in=ids)
