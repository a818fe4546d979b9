"""Queries compiled once and run again with new values (ordrom.prepared) answer what the ORM
answers, for every value, and refuse a query they cannot prepare faithfully."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ordrom import notifications, roles
from ordrom.models import Notification
from ordrom.prepared import PreparedCount, PreparedModels, PreparedValues

pytestmark = pytest.mark.django_db


def _notify(user, n: int) -> None:
    for i in range(n):
        notifications.notify(
            recipient=user, kind="forum_reply", url=f"/forum/t/{i}/", now=timezone.now()
        )


def test_the_unread_count_follows_each_member_s_own_notifications(member, other_member):
    _notify(member, 3)
    _notify(other_member, 1)
    assert notifications.unread_count(recipient=member) == 3
    assert notifications.unread_count(recipient=other_member) == 1

    notifications.mark_read(recipient=member, now=timezone.now())
    _notify(other_member, 1)
    assert notifications.unread_count(recipient=member) == 0
    assert notifications.unread_count(recipient=other_member) == 2


def test_a_role_given_or_taken_away_shows_on_the_next_request(member, other_member):
    supervisors = Group.objects.get(name=roles.Role.SUPERVISOR)
    assert roles.Role.SUPERVISOR not in roles.role_names(member)
    member.groups.add(supervisors)
    fresh = type(member).objects.get(pk=member.pk)  # the next request's user object
    assert roles.Role.SUPERVISOR in roles.role_names(fresh)
    assert roles.Role.SUPERVISOR not in roles.role_names(other_member)
    member.groups.remove(supervisors)
    assert roles.Role.SUPERVISOR not in roles.role_names(type(member).objects.get(pk=member.pk))


def test_a_prepared_query_answers_as_the_orm_does_with_text_values_too(member, other_member):
    _notify(member, 2)
    _notify(other_member, 1)
    by_url = PreparedValues(
        lambda url, recipient: Notification.objects.filter(url=url, recipient=recipient)
        .order_by("pk")
        .values_list("recipient_id", flat=True),
        flat=True,
        ints=["recipient"],
        texts=["url"],
    )
    assert by_url(url="/forum/t/0/", recipient=member.pk) == [member.pk]
    assert by_url(url="/forum/t/1/", recipient=other_member.pk) == []
    count = PreparedCount(lambda url: Notification.objects.filter(url=url), texts=["url"])
    assert count(url="/forum/t/0/") == 2 == Notification.objects.filter(url="/forum/t/0/").count()


def test_a_value_the_sql_would_carry_as_text_or_not_at_all_is_refused(member):
    sliced = PreparedValues(
        lambda n: Notification.objects.values_list("pk", flat=True)[:n], flat=True, ints=["n"]
    )
    with pytest.raises(ValueError, match="written into the SQL"):
        sliced(n=5)
    unused = PreparedCount(lambda member: Notification.objects.all(), ints=["member"])
    with pytest.raises(ValueError, match="not among the query's parameters"):
        unused(member=member.pk)
    count = PreparedCount(
        lambda member: Notification.objects.filter(recipient=member), ints=["member"]
    )
    with pytest.raises(TypeError, match="expected values"):
        count(recipient=member.pk)


def test_a_datetime_value_is_passed_as_the_orm_passes_it(member):
    import datetime as dt

    now = timezone.now()
    for minutes in (90, 30, 5):
        Notification.objects.create(
            recipient=member, kind="forum_reply", url="/x/", created_at=now - dt.timedelta(
                minutes=minutes)
        )
    since = PreparedCount(
        lambda member, since: Notification.objects.filter(recipient=member, created_at__gt=since),
        ints=["member"],
        datetimes=["since"],
    )
    for minutes in (120, 60, 10, 1):
        cutoff = now - dt.timedelta(minutes=minutes)
        expected = Notification.objects.filter(recipient=member, created_at__gt=cutoff).count()
        assert since(member=member.pk, since=cutoff) == expected
    assert [since(member=member.pk, since=now - dt.timedelta(minutes=m)) for m in (120, 10)] == [
        3, 1]


def test_a_date_value_is_passed_as_the_orm_passes_it(member):
    import datetime as dt

    now = timezone.now()
    for days in (3, 2, 0):
        Notification.objects.create(
            recipient=member, kind="forum_reply", url="/x/", created_at=now - dt.timedelta(
                days=days)
        )
    until = PreparedCount(
        lambda member, day: Notification.objects.filter(
            recipient=member, created_at__date__lte=day
        ),
        ints=["member"],
        dates=["day"],
    )
    today = timezone.localdate(now)
    answers = []
    for days in (4, 3, 1, 0):
        day = today - dt.timedelta(days=days)
        expected = Notification.objects.filter(recipient=member, created_at__date__lte=day).count()
        answers.append(until(member=member.pk, day=day))
        assert answers[-1] == expected
    assert answers[0] == 0 and answers[-1] == 3


def test_a_list_of_ids_is_matched_as_the_orm_matches_it_and_a_longer_one_refused(
    member, other_member, user_factory
):
    third_member = user_factory("Tredje Leser")
    for user in (member, other_member, third_member):
        notifications.notify(recipient=user, kind="forum_reply", url="/y/", now=timezone.now())
    of_users = PreparedValues(
        lambda users: Notification.objects.filter(recipient_id__in=users)
        .order_by("recipient_id")
        .values_list("recipient_id", flat=True),
        flat=True,
        id_lists={"users": 3},
    )
    for users in ([], [member.pk], [member.pk, third_member.pk],
                  [member.pk, other_member.pk, third_member.pk]):
        assert of_users(users=users) == sorted(users)
    with pytest.raises(ValueError, match="at most 3"):
        of_users(users=[member.pk, other_member.pk, third_member.pk, 10**6])
    # Left out as a list too (NOT IN), and on PostgreSQL passed as one array.
    not_of_users = PreparedValues(
        lambda users: Notification.objects.exclude(recipient_id__in=users)
        .order_by("recipient_id")
        .values_list("recipient_id", flat=True),
        flat=True,
        id_lists={"users": 3},
    )
    everyone = sorted([member.pk, other_member.pk, third_member.pk])
    with CaptureQueriesContext(connection) as captured:
        for users in ([], [member.pk], [member.pk, third_member.pk]):
            assert not_of_users(users=users) == [pk for pk in everyone if pk not in users]
    if connection.vendor == "postgresql":
        assert all("= ANY(" in query["sql"] for query in captured.captured_queries)


def _fields(instance) -> dict:
    deferred = instance.get_deferred_fields()
    return {
        field.attname: getattr(instance, field.attname)
        for field in type(instance)._meta.concrete_fields
        if field.attname not in deferred
    }


def test_prepared_instances_are_the_orms_with_dates_booleans_and_json(member, other_member):
    from wagtail.users.models import UserProfile

    for user, shortcuts in ((member, False), (other_member, True)):
        profile = UserProfile.get_for_user(user)
        profile.keyboard_shortcuts = shortcuts
        profile.dismissibles = {"whats-new": True, "tips": [1, 2]}
        profile.preferred_language = "en" if shortcuts else "nb"
        profile.save()
    by_user = PreparedModels(
        lambda user: UserProfile.objects.filter(user=user).order_by("pk")[:1], ints=["user"]
    )

    for user in (member, other_member):
        (prepared,) = by_user(user=user.pk)
        orm = UserProfile.objects.get(user=user)
        assert type(prepared) is UserProfile and prepared.pk == orm.pk
        assert _fields(prepared) == _fields(orm)
        assert prepared._state.adding is False and prepared._state.db == "default"
    assert by_user(user=0) == []


def test_prepared_instances_keep_deferred_fields_deferred(member):
    from accounts.models import User

    names = PreparedModels(lambda pk: User.objects.filter(pk=pk).only("id", "username"),
                           ints=["pk"])
    (user,) = names(pk=member.pk)
    assert user.username == member.username
    assert "email" in user.get_deferred_fields()
    assert user.date_joined == member.date_joined  # read when asked, as the ORM does


@pytest.mark.parametrize(
    "build",
    [
        lambda pk: Notification.objects.filter(pk=pk).values("pk"),
        lambda pk: Notification.objects.filter(pk=pk).prefetch_related("recipient"),
    ],
)
def test_a_queryset_beyond_its_models_fields_is_refused(member, build):
    with pytest.raises(ValueError):
        PreparedModels(build, ints=["pk"])(pk=member.pk)


def _threads(writer, supervisor):
    """Three threads of *writer*: with a topic, without one, and claimed by *supervisor*."""
    import datetime as dt

    from letters.models import Letter, Thread, Topic

    topic = Topic.objects.create(slug="prepared-topic", name_nb="Ensomhet", name_en="Loneliness")
    now = timezone.now()
    threads = []
    for n, (with_topic, claimed) in enumerate(((True, False), (False, False), (True, True))):
        thread = Thread.objects.create(
            writer=writer,
            subject=f"Emne {n}",
            topic=topic if with_topic else None,
            supervisor=supervisor if claimed else None,
            created_at=now - dt.timedelta(hours=n),
            updated_at=now - dt.timedelta(hours=n),
        )
        Letter.objects.create(
            thread=thread, body=f"Brev {n}", received_at=now, due_at=now + dt.timedelta(days=2)
        )
        threads.append(thread)
    return threads


def test_joined_instances_are_the_orms_with_their_relations_and_a_missing_one_none(
    member, other_member, django_assert_num_queries
):
    from letters.models import Letter, Thread

    _threads(member, other_member)
    prepared = PreparedModels(
        lambda writer: Letter.objects.filter(thread__writer=writer)
        .select_related("thread__topic", "thread__supervisor")
        .only("id", "due_at", "thread__subject", "thread__topic__name_nb",
              "thread__supervisor__username")
        .order_by("pk"),
        ints=["writer"],
    )
    orm = list(
        Letter.objects.filter(thread__writer=member)
        .select_related("thread__topic", "thread__supervisor")
        .order_by("pk")
    )
    def shown(letter):
        thread = letter.thread
        return (
            letter.pk,
            letter.due_at,
            thread.subject,
            thread.topic.name_nb if thread.topic else None,
            thread.supervisor.username if thread.supervisor else None,
        )

    with django_assert_num_queries(1):  # the relations come with the letters
        letters = prepared(writer=member.pk)
        read = [shown(letter) for letter in letters]
    assert read == [shown(letter) for letter in orm]
    assert [type(letter.thread) for letter in letters] == [Thread] * 3
    assert letters[1].thread.topic is None and letters[2].thread.supervisor == other_member
    assert "body" in letters[0].get_deferred_fields()
    assert prepared(writer=other_member.pk) == []


def test_a_sliced_query_gives_each_page_as_the_orm_slices_it(member, other_member):
    from letters.models import Thread

    _threads(member, other_member)
    pages = PreparedModels(
        lambda writer: Thread.objects.filter(writer=writer)
        .select_related("topic")
        .order_by("-updated_at", "pk"),
        ints=["writer"],
        sliced=True,
    )
    ordered = list(Thread.objects.filter(writer=member).order_by("-updated_at", "pk"))
    for limit, offset in ((2, 0), (2, 2), (1, 1), (5, 0), (2, 9)):
        assert pages(writer=member.pk, limit=limit, offset=offset) == ordered[
            offset : offset + limit
        ]
    with pytest.raises(TypeError):
        pages(writer=member.pk)  # the page is not optional


@pytest.mark.parametrize(
    "build",
    [
        lambda writer: Notification.objects.filter(recipient=writer).order_by("pk")[:5],
        lambda writer: Notification.objects.filter(recipient=writer).order_by(),
    ],
)
def test_a_sliced_query_is_refused_already_sliced_or_unordered(member, build):
    with pytest.raises(ValueError):
        PreparedModels(build, ints=["writer"], sliced=True)(writer=member.pk, limit=1, offset=0)


def test_prepared_instances_carry_their_annotations_as_the_orms_do(member, other_member):
    from letters.models import Thread

    _threads(member, other_member)
    build = lambda writer: (  # noqa: E731
        Thread.objects.filter(writer=writer)
        .annotate(writer_name=models.F("writer__username"), one=models.Value(1))
        .only("id", "subject")
        .order_by("pk")
    )
    prepared = PreparedModels(build, ints=["writer"])(writer=member.pk)
    assert [(t.pk, t.subject, t.writer_name, t.one) for t in prepared] == [
        (t.pk, t.subject, t.writer_name, t.one) for t in build(member.pk)
    ]
    assert prepared[0].writer_name == member.username


def test_rows_and_counts_in_one_round_trip_answer_as_the_orm_does(member, other_member):
    """Roles, own permissions, unread notifications and authenticators, what a staff
    workspace page asks first, are one query: the same answers as asking the ORM each, for
    a member with none, one or two roles and any number of notifications, with row sets of
    different widths."""
    from django.contrib.auth.models import Permission

    from ordrom.prepared import PreparedBatch

    def build(user):
        return (
            (
                Group.objects.filter(user=user).values_list("name"),
                Permission.objects.filter(user=user).values_list(
                    "content_type__app_label", "codename"
                ),
            ),
            (
                Notification.objects.filter(recipient=user, read_at__isnull=True),
                Notification.objects.filter(recipient=user),
            ),
        )

    ask = PreparedBatch(build, ints=["user"])
    _notify(member, 3)
    notifications.mark_read(recipient=member, now=timezone.now())
    _notify(member, 2)
    member.groups.add(*Group.objects.filter(name__in=[roles.Role.EDITOR, roles.Role.MODERATOR]))
    member.user_permissions.add(*Permission.objects.filter(codename__startswith="change_")[:3])
    for user in (member, other_member):
        with CaptureQueriesContext(connection) as queries:
            (names, permissions), counts = ask(user=user.pk)
        assert len(queries) == 1
        (expected_names, expected_permissions), counted = build(user)
        assert sorted(names) == sorted(expected_names)
        assert sorted(permissions) == sorted(expected_permissions)
        assert counts == tuple(queryset.count() for queryset in counted)
    assert len(permissions) == 0 and counts == (0, 0)
    assert names == [(roles.Role.MEMBER.value,)]
    (names, permissions), counts = ask(user=member.pk)
    assert len(names) == 3 and len(permissions) == 3 and counts == (2, 5)


def test_a_staff_workspace_page_reads_roles_authenticators_and_permissions_at_once(
    supervisor_client
):
    """The reply queue asks who the user is, what they may do and whether they have an
    authenticator in one round trip, not three. (The first request reads what the user's
    groups may do, which is then kept.)"""
    supervisor_client.get("/admin/letters/")
    with CaptureQueriesContext(connection) as queries:
        assert supervisor_client.get("/admin/letters/").status_code == 200
    asked = [query["sql"] for query in queries.captured_queries]
    alone = [
        sql for sql in asked
        if ("mfa_authenticator" in sql or "auth_permission" in sql) and "UNION ALL" not in sql
    ]
    assert not alone, alone
    assert sum("mfa_authenticator" in sql and "auth_permission" in sql for sql in asked) == 1


def test_a_page_s_header_counts_unread_notifications_with_the_roles_and_again_once_read(
    member, client
):
    """The header's unread count comes with the user's roles in one query; the notifications
    page, which marks them read, shows none left in its own header."""
    _notify(member, 2)
    client.force_login(member)
    client.cookies["django_language"] = "en"
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/forum/").content.decode()
    assert "(2 unread)" in page
    alone = [
        query["sql"]
        for query in queries.captured_queries
        if "ordrom_notification" in query["sql"] and "UNION ALL" not in query["sql"]
    ]
    assert not alone, alone
    page = client.get("/forum/notifications/").content.decode()
    assert "unread)" not in page
    assert "(2 unread)" not in client.get("/forum/").content.decode()


def test_several_counts_in_one_round_trip_answer_as_the_orm_does(member, other_member):
    from ordrom.prepared import PreparedCounts

    ask = PreparedCounts(
        lambda user: (
            Notification.objects.filter(recipient=user, read_at__isnull=True),
            Notification.objects.filter(recipient=user),
            Group.objects.filter(user=user),
        ),
        ints=["user"],
    )
    _notify(member, 3)
    notifications.mark_read(recipient=member, now=timezone.now())
    _notify(member, 2)
    for user in (member, other_member):
        with CaptureQueriesContext(connection) as queries:
            counts = ask(user=user.pk)
        assert len(queries) == 1
        assert counts == (
            Notification.objects.filter(recipient=user, read_at__isnull=True).count(),
            Notification.objects.filter(recipient=user).count(),
            Group.objects.filter(user=user).count(),
        )
    assert ask(user=member.pk) == (2, 5, 1)
