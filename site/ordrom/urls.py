from django.conf import settings
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import set_language
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from ordrom import health, views

# Wagtail's own login bypasses allauth (no 2FA, no rate limits): send it to the one door.
admin_login_redirect = RedirectView.as_view(pattern_name="account_login", query_string=True)

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("i18n/language/", views.switch_language, name="switch_language"),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/login/", admin_login_redirect, name="wagtailadmin_login_redirect"),
    path("admin/", include(wagtailadmin_urls)),
    # Wagtail's front-end login (for private pages) is Django's plain LoginView: a password
    # alone would sign staff in without their second factor. Same one door.
    path("_util/login/", admin_login_redirect, name="wagtailcore_login_redirect"),
    path("documents/", include(wagtaildocs_urls)),
    path("quick-exit/", views.quick_exit, name="quick_exit"),
    path("help/", include("pages.urls")),
    path("letters/", include("letters.urls")),
    path("forum/", include("forum.urls")),
    path("friends/", include("friends.urls")),
    path("chat/samtalerom/", include("chat.groups.urls")),
    path("chat/", include("chat.urls")),
]

# Image renditions an editor put into a page. Only these: the originals may carry the
# camera's metadata (a location), and documents go through Wagtail's serve view, which
# checks their privacy settings.
urlpatterns += [path("media/images/<path:path>", views.media_image, name="media_image")]

if settings.ORDROM_BENCH:
    # The baseline of `make bench`: the same middleware as every page, and nothing else.
    urlpatterns += [path("bench/ok", views.bench_ok, name="bench_ok")]

# Wagtail's page serving catches every other path, so it comes last.
urlpatterns += [path("", include(wagtail_urls))]

handler404 = "ordrom.views.page_not_found"
handler500 = "ordrom.views.server_error"
# allauth's rate limits answer through this (allauth.core.internal.ratelimit.respond_429).
handler429 = "accounts.views.too_many_requests"
