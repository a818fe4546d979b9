"""Forum: categories, topics, posts, reactions, reports, standing, moderation log.

A post is stored as written (``body``) and as HTML rendered once at write time by the single
sanitiser (``body_html``); templates show only ``body_html``. Author links are SET_NULL, so a
deleted account's posts stay in threads as "deleted user" (the text is removed with the account,
see forum/personal_data.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from ordrom.bilingual import localized

TITLE_REMOVED = _("Topic by a deleted user")


class Category(models.Model):
    class Moderation(models.TextChoices):
        PRE = "pre", _("Pre-moderated: every post waits for approval")
        POST = "post", _("Post-moderated: published at once, can be reported")

    slug = models.SlugField(_("slug"), unique=True)
    name_nb = models.CharField(_("name (bokmål)"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)
    description_nb = models.CharField(_("description (bokmål)"), max_length=300, blank=True)
    description_en = models.CharField(_("description (English)"), max_length=300, blank=True)
    sort_order = models.IntegerField(_("sort order"), default=0)
    moderation = models.CharField(
        _("moderation"), max_length=4, choices=Moderation.choices, default=Moderation.POST
    )
    is_active = models.BooleanField(_("shown"), default=True)
    # Kept by the services, so /forum/ needs no COUNT over 200 000 posts.
    topic_count = models.PositiveIntegerField(default=0, editable=False)
    last_activity_at = models.DateTimeField(null=True, blank=True, editable=False)

    panels = [
        FieldPanel("name_nb"),
        FieldPanel("name_en"),
        FieldPanel("slug"),
        FieldPanel("description_nb"),
        FieldPanel("description_en"),
        FieldPanel("moderation"),
        FieldPanel("sort_order"),
        FieldPanel("is_active"),
    ]

    class Meta:
        ordering = ["sort_order", "name_nb"]
        verbose_name = _("forum category")
        verbose_name_plural = _("forum categories")

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def description(self) -> str:
        return localized(self, "description")


class Topic(models.Model):
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="topics")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    created_at = models.DateTimeField()
    last_activity_at = models.DateTimeField()
    # A topic is shown once its first post is published.
    is_visible = models.BooleanField(default=False)
    is_pinned = models.BooleanField(_("pinned"), default=False)
    is_locked = models.BooleanField(_("locked"), default=False)
    post_count = models.PositiveIntegerField(default=0, editable=False)  # published posts

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        indexes = [
            # The listing's whole order, the id included: a page's ids come from the index
            # alone, without sorting the ties (0.35 to 0.05 ms for page 40 of 10 000 topics).
            models.Index(
                fields=["category", "-is_pinned", "-last_activity_at", "-id"],
                condition=Q(is_visible=True),
                name="topic_category_order",
            )
        ]

    def __str__(self):
        return self.shown_title

    @property
    def shown_title(self) -> str:
        """The title, or what stands for it once its author deleted their account: the title
        is their words and goes with them, while the replies of others keep their thread."""
        return self.title or str(TITLE_REMOVED)


class Post(models.Model):
    class Status(models.TextChoices):
        HELD = "held", _("Waiting for a moderator")
        PUBLISHED = "published", _("Published")
        RETURNED = "returned", _("Returned to the author")
        HIDDEN = "hidden", _("Hidden by a moderator")
        DELETED = "deleted", _("Deleted")

    class HoldReason(models.TextChoices):
        NEW_MEMBER = "new_member", _("New member")
        PRE_MODERATED = "pre_moderated", _("Pre-moderated category")
        CONTACT = "contact", _("Contact details")
        WATCHED = "watched", _("Watched words")
        CRISIS = "crisis", _("Crisis words")
        REPORTED = "reported", _("Reported by members")

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("text as written"))
    body_html = models.TextField(editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.HELD)
    hold_reasons = models.JSONField(default=list, blank=True)
    urgent = models.BooleanField(default=False)
    quote_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderator_reason = models.TextField(_("reason given to the author"), blank=True)
    edit_note = models.CharField(_("moderator's edit note"), max_length=200, blank=True)
    recognise_count = models.PositiveIntegerField(default=0)
    report_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)
    # When others first could read it: a post published, edited, held and approved again is
    # no new reply (no second notification) and no second step towards trust.
    first_published_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When it (last) came to the moderators: held, or first reported while published. The
    # moderation queue shows urgent posts first, then the ones that have waited longest.
    queued_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        indexes = [
            models.Index(fields=["topic", "created_at", "id"], name="post_topic_order"),
            models.Index(
                fields=["-urgent", "queued_at", "id"],
                condition=Q(status="held") | Q(status="published", report_count__gt=0),
                name="post_moderation_queue",
            ),
        ]

    def __str__(self):
        return f"{self.topic} #{self.pk}"


class Reaction(models.Model):
    """'Kjenner meg igjen' (I recognise this): one per member and post."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "member"], name="one_reaction_per_member")
        ]

    def __str__(self):
        return f"{self.member_id} recognises {self.post_id}"


class Report(models.Model):
    class Reason(models.TextChoices):
        CONTACT = "contact", _("It shares contact details or who someone is")
        HARASSMENT = "harassment", _("It is hurtful or harassing")
        DANGER = "danger", _("Someone may be in danger")
        SPAM = "spam", _("Advertising or spam")
        OTHER = "other", _("Something else")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=12, choices=Reason.choices)
    text = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["post", "reporter"],
                condition=Q(resolved_at__isnull=True),
                name="one_open_report_per_member",
            )
        ]
        indexes = [models.Index(fields=["resolved_at", "created_at"], name="report_queue")]

    def __str__(self):
        return f"report {self.pk} on {self.post_id}"


class Standing(models.Model):
    """A member's trust level and suspension in the forum (and the friend service)."""

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_standing"
    )
    trust_level = models.PositiveSmallIntegerField(default=0)
    approved_posts = models.PositiveIntegerField(default=0)
    suspended_until = models.DateTimeField(null=True, blank=True)
    suspension_reason = models.CharField(max_length=300, blank=True)

    def __str__(self):
        return f"{self.member_id}: level {self.trust_level}"

    def is_suspended(self, now) -> bool:
        return bool(self.suspended_until and self.suspended_until > now)


class WatchedWord(models.Model):
    """Words that hold a post for a moderator, maintained by moderators."""

    word = models.CharField(_("word or phrase"), max_length=80, unique=True)

    panels = [FieldPanel("word")]

    class Meta:
        ordering = ["word"]
        verbose_name = _("watched word")
        verbose_name_plural = _("watched words")

    def __str__(self):
        return self.word


class ModerationAction(models.Model):
    """The moderation log: who did what to which post, topic or member, and why."""

    class Action(models.TextChoices):
        APPROVE = "approve", _("approved the post")
        RETURN = "return", _("returned the post to its author")
        HIDE = "hide", _("hid the post")
        DELETE = "delete", _("deleted the post")
        EDIT = "edit", _("edited the post")
        SUSPEND = "suspend", _("suspended the member")
        LOCK = "lock", _("locked the topic")
        UNLOCK = "unlock", _("unlocked the topic")
        PIN = "pin", _("pinned the topic")
        UNPIN = "unpin", _("unpinned the topic")
        MOVE = "move", _("moved the topic")

    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderator_name = models.CharField(max_length=150)
    action = models.CharField(max_length=20, choices=Action.choices)
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.SET_NULL)
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.SET_NULL)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField(blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["-at", "-id"], name="moderation_log_order")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.moderator_name} {self.action}"


class ForumRulesPage(Page):
    """The forum rules, edited by editors and moderators' leads as a page (one per language).

    /forum/regler/ and the note above every forum form lead here; without such a page the
    built-in rules template is shown instead (forum/views.py)."""

    intro = models.CharField(_("introduction"), max_length=300, blank=True)
    body = RichTextField(
        _("rules"), features=["h2", "h3", "bold", "italic", "ol", "ul", "link"], blank=True
    )

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    parent_page_types = ["pages.HomePage"]
    subpage_types: list[str] = []
    max_count_per_parent = 1
    template = "forum/rules_page.html"

    class Meta:
        verbose_name = _("forum rules page")
