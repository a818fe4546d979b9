"""Staff workspace for the chat: the live console, the coordinators' overview and read-only
transcripts (views in ``admin_views.py``), and canned phrases as a snippet."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from chat import admin_views
from chat.models import CannedPhrase


class CannedPhraseViewSet(SnippetViewSet):
    model = CannedPhrase
    icon = "openquote"
    menu_label = _("Chat phrases")
    menu_order = 330
    list_display = ["title", "sort_order"]
    search_fields = ["title", "text"]


register_snippet(CannedPhraseViewSet)


@hooks.register("register_admin_urls")
def chat_admin_urls():
    v = admin_views
    return [
        path("chat/", v.console, name="chat_console"),
        path("chat/overview/", v.overview, name="chat_overview"),
        path("chat/<int:conversation_id>/", v.transcript, name="chat_transcript"),
    ]


class RoleMenuItem(MenuItem):
    def __init__(self, *args, check, **kwargs):
        super().__init__(*args, **kwargs)
        self.check = check

    def is_shown(self, request):
        return self.check(request.user)


@hooks.register("register_admin_menu_item")
def chat_menu_item():
    items = [
        RoleMenuItem(
            _("Chat console"),
            reverse("chat_console"),
            name="chat_console",
            icon_name="comment",
            order=10,
            check=admin_views.can_chat,
        ),
        RoleMenuItem(
            _("Running chats"),
            reverse("chat_overview"),
            name="chat_overview",
            icon_name="view",
            order=20,
            check=admin_views.can_coordinate,
        ),
    ]
    return SubmenuMenuItem(
        _("Chat"), Menu(items=items), name="chat", icon_name="comment", order=210
    )
