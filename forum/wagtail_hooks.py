"""Staff workspace for the forum: the moderation queue, topic tools and the moderation log as
admin views (in ``admin_views.py``), and categories and watched words as snippets."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from forum import admin_views
from forum.models import Category, WatchedWord


class CategoryViewSet(SnippetViewSet):
    model = Category
    icon = "folder-open-inverse"
    menu_label = _("Forum categories")
    list_display = ["name_nb", "name_en", "slug", "moderation", "sort_order", "is_active"]
    ordering = ["sort_order", "name_nb"]


class WatchedWordViewSet(SnippetViewSet):
    model = WatchedWord
    icon = "warning"
    menu_label = _("Watched words")
    list_display = ["word"]
    search_fields = ["word"]


class ForumSnippetsGroup(SnippetViewSetGroup):
    items = (CategoryViewSet, WatchedWordViewSet)
    menu_icon = "folder-open-inverse"
    menu_label = _("Forum categories and words")
    menu_name = "forum_snippets"
    menu_order = 330


register_snippet(ForumSnippetsGroup)


@hooks.register("register_admin_urls")
def forum_admin_urls():
    v = admin_views
    return [
        path("forum/", v.queue, name="forum_moderation_queue"),
        path("forum/log/", v.log, name="forum_moderation_log"),
        path("forum/posts/<int:post_id>/", v.post_page, name="forum_moderation_post"),
        path("forum/posts/<int:post_id>/approve/", v.post_approve, name="forum_moderation_approve"),
        path("forum/posts/<int:post_id>/return/", v.post_return, name="forum_moderation_return"),
        path("forum/posts/<int:post_id>/hide/", v.post_hide, name="forum_moderation_hide"),
        path("forum/posts/<int:post_id>/delete/", v.post_delete, name="forum_moderation_delete"),
        path("forum/posts/<int:post_id>/edit/", v.post_edit, name="forum_moderation_edit"),
        path("forum/posts/<int:post_id>/suspend/", v.post_suspend, name="forum_moderation_suspend"),
        path("forum/topics/<int:topic_id>/", v.topic_page, name="forum_moderation_topic"),
        path("forum/topics/<int:topic_id>/flags/", v.topic_flags, name="forum_moderation_flags"),
        path("forum/topics/<int:topic_id>/move/", v.topic_move, name="forum_moderation_move"),
    ]


class RoleMenuItem(MenuItem):
    def __init__(self, *args, check, **kwargs):
        super().__init__(*args, **kwargs)
        self.check = check

    def is_shown(self, request):
        return self.check(request.user)


@hooks.register("register_admin_menu_item")
def forum_menu_item():
    items = [
        RoleMenuItem(
            _("Moderation queue"), reverse("forum_moderation_queue"),
            name="forum_moderation_queue", icon_name="warning", order=10,
            check=admin_views.can_moderate,
        ),
        RoleMenuItem(
            _("Moderation log"), reverse("forum_moderation_log"), name="forum_moderation_log",
            icon_name="history", order=20, check=admin_views.can_moderate,
        ),
    ]
    return SubmenuMenuItem(
        _("Moderation"), Menu(items=items), name="forum_moderation", icon_name="warning",
        order=210,
    )
