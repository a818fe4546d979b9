"""Small queries compiled to SQL once per database and run again with new values.

Every signed-in page asks a few small questions: how many notifications are unread, which
roles the user has, how many friend requests and letters wait. Each one is a single indexed
lookup that SQLite or PostgreSQL answers in tens of microseconds, but building it through the
ORM (cloning the queryset for each filter, resolving the lookups, compiling the SQL) costs
0.2–0.4 ms every time, which on the full-size bench set was a tenth of a page.

``PreparedCount`` and ``PreparedValues`` build their queryset once per database connection
alias with a distinct marker for each parameter, keep the SQL Django compiled, find where
each marker landed among the query's parameters, and afterwards run that SQL with the
request's values through Django's cursor (so the queries still count in the test client's
query counts and debug tooling). The SQL is exactly what the ORM made; only the values
change. A parameter that Django would write into the SQL text instead of passing it as a
parameter makes preparing fail loudly.

Parameters may be integers, text, datetimes or dates (``datetimes=``, ``dates=``, passed to
the database as the ORM passes them), and lists of up to a fixed number of ids
(``id_lists={"ids": 30}``, for an ``__in`` lookup; the unused places get ids no row has). A
page of an ordered query takes its ``limit`` and ``offset`` as values too (``sliced=True``).
``PreparedCount``, ``PreparedValues`` and ``PreparedBatch`` give only values that need no
conversion from the database (integers and text): a ``PreparedValues`` of dates or booleans
would come back as SQLite's raw values.
``PreparedModels`` gives model instances, converted and linked (``select_related``) as the
ORM makes them. ``PreparedBatch`` and ``PreparedCounts`` ask several questions in one round
trip.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from threading import Lock

from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import ModelIterable, get_related_populators

# Values no real query uses, one per parameter: integers beyond any id here, text that no
# field holds.
_INT_MARKER_BASE = 7_305_000_000_000
_TEXT_MARKER = "\x00ordrom-prepared-{}\x00"
_DATETIME_MARKER = dt.datetime(2999, 12, 30, 23, 0, 0, 123_457, tzinfo=dt.UTC)
_DATE_MARKER = dt.date(2999, 11, 1)

# The largest id a row can have (a 64-bit key): a larger one from a URL names no row, and the
# ORM answers so without asking, where a database driver would refuse the value.
MAX_ID = 2**63 - 1


class _Prepared:
    def __init__(
        self,
        build: Callable[..., QuerySet],
        *,
        ints=(),
        texts=(),
        datetimes=(),
        dates=(),
        id_lists=None,
        sliced: bool = False,
    ):
        self._build = build
        id_lists = dict(id_lists or {})
        self._sliced = sliced
        self._names = tuple(ints) + tuple(texts) + tuple(datetimes) + tuple(dates)
        self._names += tuple(id_lists)
        if sliced:
            self._names += ("limit", "offset")
        self._datetimes = frozenset(datetimes)
        self._dates = frozenset(dates)
        self._id_lists = id_lists
        # What the builder is called with, and each single value to find among the parameters.
        self._markers = {name: _INT_MARKER_BASE + n for n, name in enumerate(ints)}
        self._markers.update({name: _TEXT_MARKER.format(name) for name in texts})
        self._markers.update(
            {name: _DATETIME_MARKER + dt.timedelta(minutes=n) for n, name in enumerate(datetimes)}
        )
        self._markers.update(
            {name: _DATE_MARKER + dt.timedelta(days=n) for n, name in enumerate(dates)}
        )
        self._build_values = dict(self._markers)
        for n, (name, size) in enumerate(id_lists.items()):
            items = [_INT_MARKER_BASE + 1_000 * (n + 1) + i for i in range(size)]
            self._build_values[name] = items
            self._markers.update({(name, i): item for i, item in enumerate(items)})
        self._compiled: dict[str, tuple[str, tuple, tuple[tuple[int, str], ...]]] = {}
        self._lock = Lock()

    def _queryset_sql(self, queryset: QuerySet, using: str) -> tuple[str, tuple]:
        return queryset.query.get_compiler(using=using).as_sql()

    def _compile(self, using: str):
        compiled = self._compiled.get(using)
        if compiled is not None:
            return compiled
        with self._lock:
            queryset = self._build(**self._build_values)
            if self._sliced and queryset.query.is_sliced:
                raise ValueError("a sliced prepared query is given its slice when it runs")
            if self._sliced and not queryset.ordered:
                raise ValueError("a slice of an unordered query is no page")
            sql, params = self._queryset_sql(queryset, using)
            slots = []
            for name, marker in self._markers.items():
                if name in self._datetimes or name in self._dates:
                    # As the ORM passes a datetime or date to this database (SQLite: text).
                    marker = self._adapt(using, name, marker)
                if str(marker) in sql or "2999-1" in sql:
                    raise ValueError(f"{name} is written into the SQL, not passed as a value")
                places = [n for n, value in enumerate(params) if value == marker]
                if not places:
                    raise ValueError(f"{name} is not among the query's parameters")
                slots.extend((n, name) for n in places)
            if self._sliced:
                # The page's size and place are values too: Django writes a slice into the
                # SQL's text, which would make a statement for each page.
                sql += " LIMIT %s OFFSET %s"
                slots.extend(((len(params), "limit"), (len(params) + 1, "offset")))
                params = (*params, None, None)
            arrays: frozenset = frozenset()
            if self._id_lists and connections[using].vendor == "postgresql":
                sql, params, slots, arrays = _as_arrays(sql, params, slots)
            compiled = (sql, tuple(params), tuple(slots), arrays)
            self._compiled[using] = compiled
        return compiled

    def _adapt(self, using: str, name: str, value: dt.datetime | dt.date):
        ops = connections[using].ops
        if name in self._dates:
            return ops.adapt_datefield_value(value)
        return ops.adapt_datetimefield_value(value)

    def _execute(self, values: dict, using: str):
        if set(values) != set(self._names):
            raise TypeError(f"expected values for {sorted(self._names)}, got {sorted(values)}")
        sql, params, slots, arrays = self._compile(using)
        params = list(params)
        for name, size in self._id_lists.items():
            ids = [int(value) for value in values[name]]
            if len(ids) > size:
                raise ValueError(f"{name}: at most {size} ids, got {len(ids)}")
            if name in arrays:
                values[name] = ids
                continue
            # The unused places get ids no row has (ids are positive).
            ids.extend(range(-1, -1 - (size - len(ids)), -1))
            values.update({(name, i): value for i, value in enumerate(ids)})
        if self._sliced:
            values["limit"], values["offset"] = int(values["limit"]), int(values["offset"])
        for n, name in slots:
            value = values[name]
            if name in self._datetimes or name in self._dates:
                value = self._adapt(using, name, value)
            params[n] = value
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()


_PLACEHOLDER = re.compile(r"(%%|%s)")


def _as_arrays(sql: str, params, slots):
    """On PostgreSQL, each list of ids as one array value: ``IN (%s, %s, …)`` becomes
    ``= ANY(%s)``. The driver then sends one value instead of every id and a padding of
    ids no row has (writing 130 values into the statement cost psycopg 0.2 ms a query).
    A list whose places the SQL does not hold as exactly one ``IN (…)`` stays as it is."""
    pieces = _PLACEHOLDER.split(sql)
    at = [i for i, piece in enumerate(pieces) if piece == "%s"]  # the n-th value's piece
    if len(at) != len(params):
        return sql, params, slots, frozenset()
    places: dict[str, list[tuple[int, int]]] = {}
    for n, name in slots:
        if isinstance(name, tuple):
            places.setdefault(name[0], []).append((name[1], n))
    dropped: set[int] = set()
    kept_slots = [(n, name) for n, name in slots if not isinstance(name, tuple)]
    arrays = set()
    for name, items in places.items():
        positions = [n for _i, n in sorted(items)]
        first, last = at[positions[0]], at[positions[-1]]
        if (
            positions != list(range(positions[0], positions[0] + len(positions)))
            or not pieces[first - 1].endswith(" IN (")
            or not pieces[last + 1].startswith(")")
            or any(pieces[i] != ", " for i in range(first + 1, last, 2))
        ):
            kept_slots.extend((n, (name, i)) for i, n in items)
            continue
        pieces[first - 1] = pieces[first - 1][: -len("IN (")] + "= ANY("
        for i in range(first + 1, last + 1):
            pieces[i] = ""
        dropped.update(positions[1:])
        kept_slots.append((positions[0], name))
        arrays.add(name)
    renumbered = {}
    new_params = []
    for n, value in enumerate(params):
        if n not in dropped:
            renumbered[n] = len(new_params)
            new_params.append(value)
    new_slots = tuple((renumbered[n], name) for n, name in kept_slots)
    return "".join(pieces), tuple(new_params), new_slots, frozenset(arrays)


def _count_sql(queryset, using: str, alias: str) -> tuple[str, tuple]:
    """``SELECT COUNT(*)`` of *queryset*: the ORM's own SQL, its values still parameters."""
    inner, params = queryset.order_by().values("pk").query.get_compiler(using=using).as_sql()
    return f"SELECT COUNT(*) FROM ({inner}) {alias}", params  # noqa: S608


class PreparedCount(_Prepared):
    """``PreparedCount(lambda member: Notification.objects.filter(recipient=member),
    ints=["member"])(member=user.pk)`` is that queryset's ``count()``."""

    def _queryset_sql(self, queryset, using):
        return _count_sql(queryset, using, "prepared_count")

    def __call__(self, *, using: str = "default", **values) -> int:
        return self._execute(values, using)[0][0]


class PreparedBatch(_Prepared):
    """Several small questions in one round trip: the rows of some ``values_list(...)``
    querysets and the counts of others. ``build`` gives both as two tuples, and the answer is
    the rows of each (in no particular order) and the counts::

        ask = PreparedBatch(lambda user: (
            (Group.objects.filter(user=user).values_list("name"),),
            (Notification.objects.filter(recipient=user, read_at__isnull=True),),
        ), ints=["user"])
        ask(user=pk)  # ([[("editor",)]], (3,))

    One ``UNION ALL`` of each queryset's own SQL, its values still parameters: each row
    starts with the number of its queryset, the counts come in one row of their own (number
    -1), and every row is as wide as the widest ``values_list`` plus a column per count. So
    the n-th field of every ``values_list`` must be of one kind (text with text), and a
    row may hold NULLs only where its field can."""

    def __init__(self, build, **kwargs):
        super().__init__(build, **kwargs)
        self._widths: dict[str, tuple[tuple[int, ...], int]] = {}

    def _queryset_sql(self, built, using):
        row_sets, counted = built
        widths = []
        for rows in row_sets:
            width = len(rows.query.values_select)
            if not width or rows.query.annotation_select or rows.query.extra_select:
                raise ValueError("the rows are a values_list() of fields")
            widths.append(width)
        width = max(widths, default=0)
        # Typed, so that PostgreSQL can match these with the counts' column (a NULL alone
        # would be taken for text when two row sets come before the counts).
        no_counts = ", CAST(NULL AS BIGINT)" * len(counted)
        parts, params = [], []
        for n, rows in enumerate(row_sets):
            sql, rows_params = rows.query.get_compiler(using=using).as_sql()
            padding = ", NULL" * (width - widths[n])
            parts.append(
                f"SELECT {n}, prepared_rows_{n}.*{padding}{no_counts} "  # noqa: S608
                f"FROM ({sql}) prepared_rows_{n}"
            )
            params.extend(rows_params)
        counts = []
        for n, queryset in enumerate(counted):
            sql, count_params = _count_sql(queryset, using, f"prepared_count_{n}")
            counts.append(f"({sql})")
            params.extend(count_params)
        if counts:
            parts.append(f"SELECT -1{', NULL' * width}, {', '.join(counts)}")
        self._widths[using] = (tuple(widths), width)
        return " UNION ALL ".join(parts), tuple(params)

    def __call__(self, *, using: str = "default", **values) -> tuple[list[list[tuple]], tuple]:
        found = self._execute(values, using)
        widths, width = self._widths[using]
        rows: list[list[tuple]] = [[] for _ in widths]
        counts: tuple = ()
        for row in found:
            if row[0] == -1:
                counts = tuple(row[1 + width :])
            else:
                rows[row[0]].append(tuple(row[1 : 1 + widths[row[0]]]))
        return rows, counts


class PreparedCounts(PreparedBatch):
    """The counts of several querysets in one round trip: ``PreparedCounts(lambda member:
    (Message.objects.filter(to=member), Request.objects.filter(to=member)),
    ints=["member"])(member=user.pk)`` is ``(3, 1)``."""

    def _queryset_sql(self, querysets, using):
        return super()._queryset_sql(((), querysets), using)

    def __call__(self, *, using: str = "default", **values) -> tuple[int, ...]:
        return super().__call__(using=using, **values)[1]


class PreparedValues(_Prepared):
    """The rows of a ``values_list(...)`` queryset; with ``flat=True`` a list of its one
    column."""

    def __init__(self, build, *, flat: bool = False, **kwargs):
        super().__init__(build, **kwargs)
        self._flat = flat

    def __call__(self, *, using: str = "default", **values) -> list:
        rows = self._execute(values, using)
        return [row[0] for row in rows] if self._flat else [tuple(row) for row in rows]


class PreparedModels(_Prepared):
    """The model instances of a queryset of model instances (its own fields, all or some
    with ``only()``, and those of the models it ``select_related()``):
    ``PreparedModels(lambda member: Profile.objects.filter(member=member)[:1],
    ints=["member"])(member=user.pk)``. Each value read is converted as the ORM converts it
    (dates, booleans, JSON), and the instances are made and linked as the ORM makes them
    (``Model.from_db`` and Django's own related populators: deferred fields stay deferred,
    a missing relation is None), with their annotations. A queryset that prefetches is
    refused when it is prepared.

    ``sliced=True``: a page of an ordered queryset, given ``limit`` and ``offset`` when it
    runs (``…(topic=7, limit=30, offset=60)``)."""

    def __init__(self, build, **kwargs):
        super().__init__(build, **kwargs)
        self._reading: dict[str, tuple] = {}

    def _queryset_sql(self, queryset, using):
        if (
            queryset._prefetch_related_lookups
            or queryset._iterable_class is not ModelIterable
            or queryset._known_related_objects
        ):
            raise ValueError("only a plain queryset of model instances can be prepared")
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        klass_info = compiler.klass_info
        annotations = tuple(compiler.annotation_col_map.items())
        if compiler.col_count != len(compiler.select):
            raise ValueError("a prepared queryset reads its models' fields and annotations")
        select_fields = klass_info["select_fields"]
        start, end = select_fields[0], select_fields[-1] + 1
        columns = [column for column, _sql, _alias in compiler.select]
        converters = [
            (position, functions, expression)
            for position, (functions, expression) in compiler.get_converters(columns).items()
        ]
        fields = [column.target.attname for column in columns[start:end]]
        populators = get_related_populators(klass_info, compiler.select, using)
        self._reading[using] = (
            queryset.model, start, end, fields, converters, populators, annotations
        )
        return sql, params

    def __call__(self, *, using: str = "default", **values) -> list:
        rows = self._execute(values, using)
        model, start, end, fields, converters, populators, annotations = self._reading[using]
        connection = connections[using]
        instances = []
        for row in rows:
            if converters:
                row = list(row)
                for position, functions, expression in converters:
                    value = row[position]
                    for convert in functions:
                        value = convert(value, expression, connection)
                    row[position] = value
            instance = model.from_db(using, fields, row[start:end])
            for populator in populators:
                populator.populate(row, instance)
            for name, position in annotations:
                setattr(instance, name, row[position])
            instances.append(instance)
        return instances
