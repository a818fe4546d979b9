"""Wagtail page types and the site-wide settings editors maintain."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from ordrom import crisis
from ordrom.bilingual import localized
from pages import group_schedule, opening_hours
from pages.blocks import ArticleBodyBlock
from pages.page_cache import PublicCacheable


class HomePage(PublicCacheable, Page):
    intro = RichTextField(_("introduction"), features=["bold", "italic", "link"], blank=True)
    services_heading = models.CharField(
        _("services heading"), max_length=120, default="", blank=True
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("services_heading"),
        InlinePanel("featured_articles", label=_("Featured articles"), max_num=6),
    ]
    parent_page_types = ["wagtailcore.Page"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["featured"] = [
            item.article
            for item in self.featured_articles.select_related("article").all()
            if item.article.live
        ]
        return context


class FeaturedArticle(Orderable):
    page = ParentalKey(HomePage, on_delete=models.CASCADE, related_name="featured_articles")
    article = models.ForeignKey(
        "pages.ArticlePage", on_delete=models.CASCADE, related_name="+", verbose_name=_("article")
    )

    panels = [FieldPanel("article")]


class ArticleIndexPage(PublicCacheable, Page):
    intro = RichTextField(_("introduction"), features=["bold", "italic", "link"], blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["pages.ArticlePage"]

    class Meta:
        verbose_name = _("article index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["articles"] = (
            ArticlePage.objects.child_of(self).live().public().order_by("-first_published_at")
        )
        return context


class ArticlePage(PublicCacheable, Page):
    summary = models.TextField(_("summary"), max_length=300, blank=True)
    body = StreamField(ArticleBodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("summary"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body")]
    parent_page_types = ["pages.ArticleIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("article")


@register_setting(icon="warning")
class SiteSettings(ClusterableModel, BaseSiteSetting):
    """Numbers and times shown on every page: crisis strip, letter answer time, chat hours."""

    emergency_number = models.CharField(_("emergency number"), max_length=20, default="113")
    emergency_text_nb = models.CharField(
        _("emergency text (bokmål)"), max_length=200, default="Akutt fare for liv eller helse"
    )
    emergency_text_en = models.CharField(
        _("emergency text (English)"), max_length=200, default="Immediate danger to life or health"
    )
    helpline_number = models.CharField(_("helpline number"), max_length=20, default="116 123")
    helpline_text_nb = models.CharField(
        _("helpline text (bokmål)"),
        max_length=200,
        default="Mental Helse Hjelpetelefonen, hele døgnet",
    )
    helpline_text_en = models.CharField(
        _("helpline text (English)"),
        max_length=200,
        default="the Mental Helse helpline, day and night",
    )
    crisis_words = models.TextField(
        _("crisis words"),
        default="\n".join(crisis.DEFAULT_WORDS),
        help_text=_(
            "One word or phrase per line, in bokmål or English. A letter, chat or callback "
            "request that contains one is marked urgent for staff, and the writer is shown "
            "where to get help now."
        ),
    )
    crisis_page = models.ForeignKey(
        "pages.CrisisPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("crisis page"),
        help_text=_("Linked from the crisis strip on every page."),
    )
    help_page = models.ForeignKey(
        "pages.HelpDirectoryPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("where to get help"),
        help_text=_("Linked from the header on every page."),
    )
    group_session_url = models.CharField(
        _("group session link"),
        max_length=200,
        blank=True,
        help_text=_("Where to read about or join the group sessions (Samtalerom)."),
    )
    letter_answer_hours = models.PositiveSmallIntegerField(
        _("letter answer time (hours)"),
        default=48,
        help_text=_("How long a writer waits at most for a personal answer."),
    )

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("emergency_number"),
                FieldPanel("emergency_text_nb"),
                FieldPanel("emergency_text_en"),
                FieldPanel("helpline_number"),
                FieldPanel("helpline_text_nb"),
                FieldPanel("helpline_text_en"),
            ],
            heading=_("Crisis numbers"),
        ),
        FieldPanel("crisis_page"),
        FieldPanel("help_page"),
        FieldPanel("crisis_words"),
        FieldPanel("letter_answer_hours"),
        InlinePanel("chat_hours", label=_("Chat opening hours")),
        InlinePanel("chat_exceptions", label=_("Chat holidays and other exceptions")),
        FieldPanel("group_session_url"),
        InlinePanel("group_sessions", label=_("Group sessions")),
    ]

    class Meta:
        verbose_name = _("site settings")

    @property
    def emergency_text(self) -> str:
        return localized(self, "emergency_text")

    @property
    def helpline_text(self) -> str:
        return localized(self, "helpline_text")

    def crisis_word_list(self) -> list[str]:
        return crisis.parse_word_list(self.crisis_words)

    def chat_status(self, now) -> opening_hours.Status:
        return opening_hours.status_at(
            now,
            [hours.as_rule() for hours in self.chat_hours.all()],
            [day.as_exception() for day in self.chat_exceptions.all()],
        )

    def next_group_session(self, now) -> opening_hours.Status:
        scheduled = group_schedule.status(now)
        if scheduled is not None:
            return scheduled
        return opening_hours.status_at(
            now, [session.as_rule() for session in self.group_sessions.all()]
        )


class ChatOpeningHours(Orderable):
    """A weekly rule: the chat is open on *weekday* from *opens* to *closes* (Europe/Oslo)."""

    WEEKDAYS = opening_hours.WEEKDAY_CHOICES

    settings = ParentalKey(SiteSettings, on_delete=models.CASCADE, related_name="chat_hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=WEEKDAYS)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(
        _("closes"),
        help_text=_("00:00 is midnight at the end of the day: 00:00 to 00:00 is the whole day."),
    )

    panels = [FieldPanel("weekday"), FieldPanel("opens"), FieldPanel("closes")]

    class Meta(Orderable.Meta):
        verbose_name = _("chat opening hours")
        verbose_name_plural = _("chat opening hours")
        constraints = [
            # Open until midnight is 00:00 (open all day: 00:00 to 00:00); an editor had to
            # write 23:59, and the chat page then said "open until 23:59" every night.
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens"))
                | models.Q(closes=dt.time(0, 0)),
                name="chat_hours_close_after_open",
            )
        ]

    def as_rule(self) -> opening_hours.WeeklyRule:
        return opening_hours.WeeklyRule(self.weekday, self.opens, self.closes)


class ChatHoursException(Orderable):
    """Other chat hours, or closed, on one date (public holidays, Christmas Eve)."""

    settings = ParentalKey(SiteSettings, on_delete=models.CASCADE, related_name="chat_exceptions")
    date = models.DateField(_("date"))
    closed = models.BooleanField(_("closed all day"), default=True)
    opens = models.TimeField(_("opens"), null=True, blank=True)
    closes = models.TimeField(_("closes"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=80, blank=True)

    panels = [
        FieldPanel("date"),
        FieldPanel("closed"),
        FieldPanel("opens"),
        FieldPanel("closes"),
        FieldPanel("note"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("chat exception")
        verbose_name_plural = _("chat exceptions")

    def clean(self):
        if not self.closed and (self.opens is None or self.closes is None):
            raise ValidationError(_("Give the opening and closing time, or tick 'closed all day'."))

    def as_exception(self) -> opening_hours.DatedException:
        if self.closed or self.opens is None or self.closes is None:
            return opening_hours.DatedException(self.date)
        return opening_hours.DatedException(self.date, self.opens, self.closes)


class GroupSessionTime(Orderable):
    """A weekly group session (Samtalerom): one hour led by a supervisor."""

    settings = ParentalKey(SiteSettings, on_delete=models.CASCADE, related_name="group_sessions")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=ChatOpeningHours.WEEKDAYS)
    opens = models.TimeField(_("starts"))
    closes = models.TimeField(_("ends"))

    panels = [FieldPanel("weekday"), FieldPanel("opens"), FieldPanel("closes")]

    class Meta(Orderable.Meta):
        verbose_name = _("group session")
        verbose_name_plural = _("group sessions")

    def as_rule(self) -> opening_hours.WeeklyRule:
        return opening_hours.WeeklyRule(self.weekday, self.opens, self.closes)
