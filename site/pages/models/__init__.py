"""Wagtail page types, snippets and settings, one module per concern."""

from pages.models.help import (  # noqa: F401
    CallbackRequest,
    CrisisPage,
    GuidedCheckPage,
    HelpCategory,
    HelpDirectoryPage,
    HelpService,
    HelpServiceException,
    HelpServiceHours,
    Region,
)
from pages.models.site import (  # noqa: F401
    ArticleIndexPage,
    ArticlePage,
    ChatHoursException,
    ChatOpeningHours,
    FeaturedArticle,
    GroupSessionTime,
    HomePage,
    SiteSettings,
)
