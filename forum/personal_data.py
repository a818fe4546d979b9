"""The forum section of a member's export and erasure.

Erasure removes the text of every post the member wrote and unlinks them; the rows stay so
replies keep their place, and the thread shows "deleted user" (author is NULL). Topics they
started keep their title only if others replied; otherwise they go.
"""

from django.db.models import F

from forum.models import Post, Reaction, Report, Standing, Topic


def export_forum(user) -> dict:
    posts = Post.objects.filter(author=user).select_related("topic").order_by("created_at")
    return {
        "posts": [
            {
                "topic": post.topic.title,
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
        "reports_made": Report.objects.filter(reporter=user).count(),
    }


def erase_forum(user) -> None:
    from forum.services import recount

    topic_ids = set(Post.objects.filter(author=user).values_list("topic_id", flat=True))
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
            topic.author = None
            topic.save(update_fields=["author"])
        else:
            topic.delete()
    Standing.objects.filter(member=user).delete()
    recount(topic_ids=topic_ids, category_ids=category_ids)
