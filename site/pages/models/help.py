"""Finding the right help: the help-service directory, the guided check, the crisis page
and callback requests.

Help services and categories are snippets with a bokmål and an English field for each text
(one row per service), so opening hours, categories and referrals from letters and chat have
one source whatever the language; pages are translated with Wagtail's own locale trees.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from ordrom.bilingual import localized
from pages import opening_hours
from pages.blocks import ArticleBodyBlock, GuidedQuestionBlock

WEEKDAYS = opening_hours.WEEKDAY_CHOICES


class Region(models.TextChoices):
    NATIONAL = "national", _("The whole country")
    AGDER = "agder", "Agder"
    AKERSHUS = "akershus", "Akershus"
    BUSKERUD = "buskerud", "Buskerud"
    FINNMARK = "finnmark", "Finnmark"
    INNLANDET = "innlandet", "Innlandet"
    MORE_OG_ROMSDAL = "more-og-romsdal", "Møre og Romsdal"
    NORDLAND = "nordland", "Nordland"
    OSLO = "oslo", "Oslo"
    ROGALAND = "rogaland", "Rogaland"
    TELEMARK = "telemark", "Telemark"
    TROMS = "troms", "Troms"
    TRONDELAG = "trondelag", "Trøndelag"
    VESTFOLD = "vestfold", "Vestfold"
    VESTLAND = "vestland", "Vestland"
    OSTFOLD = "ostfold", "Østfold"


class Channel(models.TextChoices):
    ALL = "all", _("Every way of contact")
    PHONE = "phone", _("Phone")
    CHAT = "chat", _("Chat")


class HelpCategory(models.Model):
    slug = models.SlugField(_("slug"), unique=True)
    name_nb = models.CharField(_("name (bokmål)"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)
    is_crisis = models.BooleanField(
        _("crisis category"),
        default=False,
        help_text=_("Services in a crisis category are always shown first."),
    )
    sort_order = models.IntegerField(_("sort order"), default=0)

    panels = [
        FieldPanel("name_nb"),
        FieldPanel("name_en"),
        FieldPanel("slug"),
        FieldPanel("is_crisis"),
        FieldPanel("sort_order"),
    ]

    class Meta:
        ordering = ["sort_order", "name_nb"]
        verbose_name = _("help category")
        verbose_name_plural = _("help categories")

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")


class HelpService(index.Indexed, ClusterableModel):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), unique=True)
    summary_nb = models.TextField(_("short description (bokmål)"), max_length=400)
    summary_en = models.TextField(_("short description (English)"), max_length=400, blank=True)
    audience_nb = models.CharField(_("who it is for (bokmål)"), max_length=200, blank=True)
    audience_en = models.CharField(_("who it is for (English)"), max_length=200, blank=True)
    phone = models.CharField(
        _("phone number"), max_length=30, blank=True, help_text=_("As it should be shown.")
    )
    chat_url = models.URLField(_("chat link"), blank=True)
    web_url = models.URLField(_("web site"), blank=True)
    categories = ParentalManyToManyField(
        HelpCategory, related_name="services", blank=True, verbose_name=_("categories")
    )
    region = models.CharField(
        _("region"), max_length=20, choices=Region.choices, default=Region.NATIONAL
    )
    is_active = models.BooleanField(_("shown"), default=True)
    sort_order = models.IntegerField(
        _("sort order"), default=100, help_text=_("Lower numbers are shown first in a group.")
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        MultiFieldPanel(
            [
                FieldPanel("summary_nb"),
                FieldPanel("summary_en"),
                FieldPanel("audience_nb"),
                FieldPanel("audience_en"),
            ],
            heading=_("Description"),
        ),
        MultiFieldPanel(
            [FieldPanel("phone"), FieldPanel("chat_url"), FieldPanel("web_url")],
            heading=_("Contact"),
        ),
        FieldPanel("categories", widget=forms.CheckboxSelectMultiple),
        FieldPanel("region"),
        FieldPanel("is_active"),
        FieldPanel("sort_order"),
        InlinePanel("hours", heading=_("Opening hours"), label=_("Weekly rule")),
        InlinePanel("exceptions", heading=_("Exceptions"), label=_("Exception")),
    ]
    search_fields = [
        index.SearchField("name"),
        index.SearchField("summary_nb"),
        index.AutocompleteField("name"),
    ]

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("help service")
        verbose_name_plural = _("help services")

    def __str__(self):
        return self.name

    @property
    def summary(self) -> str:
        return localized(self, "summary")

    @property
    def audience(self) -> str:
        return localized(self, "audience")

    @property
    def phone_href(self) -> str:
        return "tel:" + "".join(ch for ch in self.phone if ch.isdigit() or ch == "+")

    def channels(self) -> list[str]:
        """The ways of contact that have hours of their own (else one overall status)."""
        specific = {hours.channel for hours in self.hours.all()} - {Channel.ALL}
        if not specific:
            return [Channel.ALL]
        return [channel for channel in (Channel.PHONE, Channel.CHAT) if channel in specific]

    def weekly_rules(self, channel: str) -> list[opening_hours.WeeklyRule]:
        rules = []
        for hours in self.hours.all():  # prefetched by the selectors
            if hours.channel in (channel, Channel.ALL):
                rules.extend(hours.as_rules())
        return rules

    def dated_exceptions(self, channel: str) -> list[opening_hours.DatedException]:
        return [
            exception.as_exception()
            for exception in self.exceptions.all()
            if exception.channel in (channel, Channel.ALL)
        ]

    def status(self, now: dt.datetime, channel: str = Channel.ALL) -> opening_hours.Status:
        return opening_hours.status_at(
            now, self.weekly_rules(channel), self.dated_exceptions(channel)
        )

    def is_open(self, now: dt.datetime) -> bool:
        return any(self.status(now, channel).is_open for channel in self.channels())

    @property
    def is_crisis(self) -> bool:
        return any(category.is_crisis for category in self.categories.all())


class HelpServiceHours(Orderable):
    """A weekly rule for a range of weekdays: "Mon-Fri 14:00-17:00"."""

    service = ParentalKey(HelpService, on_delete=models.CASCADE, related_name="hours")
    channel = models.CharField(
        _("applies to"), max_length=10, choices=Channel.choices, default=Channel.ALL
    )
    first_weekday = models.PositiveSmallIntegerField(_("from"), choices=WEEKDAYS, default=0)
    last_weekday = models.PositiveSmallIntegerField(_("to"), choices=WEEKDAYS, default=6)
    opens = models.TimeField(_("opens"), default=dt.time(0, 0))
    closes = models.TimeField(
        _("closes"),
        default=dt.time(0, 0),
        help_text=_(
            "00:00 to 00:00 is the whole day. A closing time before the opening time "
            "means the next morning."
        ),
    )

    panels = [
        FieldPanel("channel"),
        FieldRowPanel([FieldPanel("first_weekday"), FieldPanel("last_weekday")]),
        FieldRowPanel([FieldPanel("opens"), FieldPanel("closes")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")

    def weekdays(self) -> list[int]:
        if self.first_weekday <= self.last_weekday:
            return list(range(self.first_weekday, self.last_weekday + 1))
        # "Sat-Mon" wraps round the week.
        return list(range(self.first_weekday, 7)) + list(range(0, self.last_weekday + 1))

    def as_rules(self) -> list[opening_hours.WeeklyRule]:
        return [opening_hours.WeeklyRule(day, self.opens, self.closes) for day in self.weekdays()]


class HelpServiceException(Orderable):
    """Other hours, or closed, on one date (public holidays, Christmas Eve)."""

    service = ParentalKey(HelpService, on_delete=models.CASCADE, related_name="exceptions")
    channel = models.CharField(
        _("applies to"), max_length=10, choices=Channel.choices, default=Channel.ALL
    )
    date = models.DateField(_("date"))
    closed = models.BooleanField(_("closed all day"), default=True)
    opens = models.TimeField(_("opens"), null=True, blank=True)
    closes = models.TimeField(_("closes"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=80, blank=True)

    panels = [
        FieldRowPanel([FieldPanel("date"), FieldPanel("channel")]),
        FieldPanel("closed"),
        FieldRowPanel([FieldPanel("opens"), FieldPanel("closes")]),
        FieldPanel("note"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("exception")
        verbose_name_plural = _("exceptions")

    def clean(self):
        if not self.closed and (self.opens is None or self.closes is None):
            raise ValidationError(_("Give the opening and closing time, or tick 'closed all day'."))

    def as_exception(self) -> opening_hours.DatedException:
        if self.closed:
            return opening_hours.DatedException(self.date)
        return opening_hours.DatedException(self.date, self.opens, self.closes)


class HelpDirectoryPage(Page):
    """ "Where to get help": every service, filterable, with its status right now."""

    intro = RichTextField(_("introduction"), features=["bold", "italic", "link"], blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    max_count_per_parent = 1
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("help directory")

    def serve(self, request, *args, **kwargs):
        from pages import views

        return views.help_directory(request, self)


class CrisisPage(Page):
    intro = RichTextField(_("introduction"), features=["bold", "italic", "link"], blank=True)
    body = StreamField(ArticleBodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("crisis page")

    def serve(self, request, *args, **kwargs):
        from pages import views

        return views.crisis_page(request, self)


class GuidedCheckPage(Page):
    """A short check of 3-6 questions that points to the right offer.

    Nothing the visitor answers is stored: the answers arrive in one POST, the suggestions
    are computed and rendered in the response, and nothing is written (no rows, no session).
    """

    intro = RichTextField(_("introduction"), features=["bold", "italic", "link"], blank=True)
    questions = StreamField(
        [("question", GuidedQuestionBlock())],
        verbose_name=_("questions"),
        min_num=1,
        max_num=6,
    )
    result_intro = RichTextField(
        _("text above the suggestions"), features=["bold", "italic", "link"], blank=True
    )
    crisis_page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("crisis page"),
        help_text=_("Where an answer that signals danger leads at once."),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("questions"),
        FieldPanel("result_intro"),
        FieldPanel("crisis_page"),
    ]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("guided check")

    def serve(self, request, *args, **kwargs):
        from pages import views

        return views.guided_check(request, self)


class CallbackRequest(models.Model):
    """ "Ask to be called": a phone number, a time window and an optional line.

    The number is deleted as soon as the request is done, or after seven days, whichever
    comes first; the row stays without it, for counts only.
    """

    OPEN = ("waiting", "not_reached")

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        NOT_REACHED = "not_reached", _("Not reached, try again")
        CALLED = "called", _("Called")
        CLOSED = "closed", _("Closed without a call")

    class Window(models.TextChoices):
        MORNING = "09-12", _("09:00-12:00")
        MIDDAY = "12-15", _("12:00-15:00")
        AFTERNOON = "15-18", _("15:00-18:00")
        EVENING = "18-21", _("18:00-21:00")

    phone = models.CharField(_("phone number"), max_length=30, blank=True)
    about = models.CharField(_("what it concerns"), max_length=200, blank=True)
    preferred_date = models.DateField(_("preferred day"))
    window = models.CharField(_("time window"), max_length=5, choices=Window.choices)
    urgent = models.BooleanField(_("urgent"), default=False)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.WAITING
    )
    attempts = models.PositiveSmallIntegerField(_("call attempts"), default=0)
    created_at = models.DateTimeField(_("received"))
    updated_at = models.DateTimeField(_("updated"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    purged_at = models.DateTimeField(_("number deleted"), null=True, blank=True)
    handled_by = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("handled by"),
    )

    class Meta:
        verbose_name = _("callback request")
        verbose_name_plural = _("callback requests")
        indexes = [
            models.Index(
                fields=["status", "-urgent", "preferred_date", "window"], name="callback_queue"
            ),
            models.Index(fields=["purged_at", "created_at"], name="callback_purge"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["waiting", "not_reached"])
                | models.Q(done_at__isnull=False),
                name="callback_done_has_time",
            )
        ]

    def __str__(self):
        return f"{self.preferred_date} {self.window}"
