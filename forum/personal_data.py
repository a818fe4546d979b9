"""The forum section of a member's export and erasure.

Erasure removes the text of every post the member wrote and unlinks them; the rows stay so
replies keep their place, and the thread shows "deleted user" (author is NULL). A topic they
started goes with them unless others replied in it; then it stays for the others' posts, but
its title goes too (it is the member's words): the topic shows Topic.shown_title, and the
notifications others keep about it lose the title as well.
"""

from django.db.models import F

from forum import fragments
from forum.models import Post, Reaction, Report, Standing, Topic
from forum.services import NOTIFY_APPROVED, NOTIFY_REPLY, NOTIFY_RETURNED
from ordrom import notifications

NOTIFICATION_KINDS = (NOTIFY_APPROVED, NOTIFY_RETURNED, NOTIFY_REPLY)


def export_forum(user) -> dict:
    posts = Post.objects.filter(author=user).select_related("topic").order_by("created_at")
    return {
        "posts": [
            {
                "topic": post.topic.shown_title,
                "written": post.created_at.isoformat(),
                "status": post.status,
                "text": post.body,
            }
            for post in posts
        ],
        "topics_started": list(
            Topic.objects.filter(author=user).order_by("created_at").values_list("title", flat=True)
        ),
        "recognised_posts": Reaction.objects.filter(member=user).count(),
        # What the member wrote when reporting a post is their words too.
        "reports_made": [
            {
                "topic": report.post.topic.shown_title,
                "made": report.created_at.isoformat(),
                "reason": report.reason,
                "text": report.text,
            }
            for report in Report.objects.filter(reporter=user)
            .select_related("post__topic")
            .order_by("created_at")
        ],
    }


def erase_forum(user) -> None:
    from forum.services import recount

    # The kept parts that show the member's words or pseudonym go too (forum.fragments).
    posts = list(Post.objects.filter(author=user).select_related("author"))
    fragments.forget_posts(posts)
    fragments.forget_topic_rows(Topic.objects.filter(author=user).select_related("author"))
    topic_ids = {post.topic_id for post in posts}
    category_ids = set(Topic.objects.filter(pk__in=topic_ids).values_list("category_id", flat=True))
    Post.objects.filter(author=user).update(
        body="", body_html="", status=Post.Status.DELETED, author=None
    )
    # The kept "kjenner meg igjen" counts lose the member's reactions with them.
    Post.objects.filter(reactions__member=user).update(recognise_count=F("recognise_count") - 1)
    Reaction.objects.filter(member=user).delete()
    Report.objects.filter(reporter=user).update(reporter=None, text="")
    for topic in Topic.objects.filter(author=user):
        if topic.posts.exclude(status=Post.Status.DELETED).exists():
            topic.author, topic.title = None, ""
            topic.save(update_fields=["author", "title"])
            notifications.subjects_forget(kinds=NOTIFICATION_KINDS, url=f"/forum/t/{topic.pk}/")
        else:
            topic.delete()
    Standing.objects.filter(member=user).delete()
    recount(topic_ids=topic_ids, category_ids=category_ids)
