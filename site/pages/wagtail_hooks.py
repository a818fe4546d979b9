"""Staff workspace for the help pages: help-service snippets and the callback queue."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from pages import admin_views
from pages.models import HelpCategory, HelpService


class HelpServiceViewSet(SnippetViewSet):
    model = HelpService
    icon = "help"
    menu_label = _("Help services")
    list_display = ["name", "phone", "region", "is_active"]
    list_filter = ["region", "is_active", "categories"]
    search_fields = ["name"]


class HelpCategoryViewSet(SnippetViewSet):
    model = HelpCategory
    icon = "tag"
    menu_label = _("Help categories")
    list_display = ["name_nb", "name_en", "slug", "is_crisis"]


class HelpViewSetGroup(SnippetViewSetGroup):
    items = (HelpServiceViewSet, HelpCategoryViewSet)
    menu_icon = "help"
    menu_label = _("Find help")
    menu_name = "find_help"
    menu_order = 300


register_snippet(HelpViewSetGroup)


@hooks.register("register_admin_urls")
def callback_urls():
    return [
        path("callbacks/", admin_views.callback_queue, name="callback_queue"),
        path("callbacks/<int:pk>/", admin_views.callback_record, name="callback_record"),
    ]


class CallbackMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.can_work_callbacks(request.user)


@hooks.register("register_admin_menu_item")
def callback_menu_item():
    return CallbackMenuItem(
        _("Callback requests"), reverse("callback_queue"), icon_name="mail", order=210
    )
