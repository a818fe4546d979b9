"""Staff workspace for the friend service: profile approval, held letters, reports, member
suspensions and the moderation log as admin views (in ``admin_views.py``), and the interests
list as a snippet (editors and moderators, by the permissions granted in migration 0002)."""

from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.ui.components import Component
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from friends import admin_views, selectors
from friends.models import Interest


class InterestViewSet(SnippetViewSet):
    model = Interest
    icon = "tag"
    menu_label = _("Friend service interests")
    menu_name = "friends_interests"
    menu_order = 330
    add_to_admin_menu = True
    list_display = ["name_nb", "name_en", "slug", "sort_order", "is_active"]


register_snippet(InterestViewSet)


@hooks.register("register_admin_urls")
def friends_admin_urls():
    v = admin_views
    return [
        path("friends/profiles/", v.profile_queue, name="friends_profile_queue"),
        path("friends/profiles/<int:profile_id>/", v.profile_review, name="friends_profile_review"),
        path("friends/held/", v.held_queue, name="friends_held_queue"),
        path("friends/held/<int:message_id>/", v.held_message, name="friends_held_message"),
        path(
            "friends/held/requests/<int:request_id>/",
            v.held_request,
            name="friends_held_request",
        ),
        path("friends/reports/", v.report_queue, name="friends_report_queue"),
        path("friends/reports/<int:report_id>/", v.report_detail, name="friends_report"),
        path(
            "friends/members/<int:user_id>/suspend/",
            v.member_suspend,
            name="friends_member_suspend",
        ),
        path("friends/log/", v.moderation_log, name="friends_log"),
    ]


class RoleMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.can_moderate(request.user)


@hooks.register("register_admin_menu_item")
def friends_menu_item():
    items = [
        RoleMenuItem(
            _("Profiles to approve"),
            reverse("friends_profile_queue"),
            name="friends_profiles",
            icon_name="user",
            order=10,
        ),
        RoleMenuItem(
            _("Held letters"),
            reverse("friends_held_queue"),
            name="friends_held",
            icon_name="warning",
            order=20,
        ),
        RoleMenuItem(
            _("Reports"),
            reverse("friends_report_queue"),
            name="friends_reports",
            icon_name="flag",
            order=30,
        ),
        RoleMenuItem(
            _("Moderation log"),
            reverse("friends_log"),
            name="friends_log",
            icon_name="history",
            order=40,
        ),
    ]
    return SubmenuMenuItem(
        _("Friend service"), Menu(items=items), name="friends", icon_name="group", order=230
    )


class UrgentPanel(Component):
    """On the moderators' dashboard: held requests and letters with crisis words, so they are
    read first. Shown only when there are some."""

    name = "friends_urgent"
    order = 80

    def __init__(self, request):
        self.request = request

    def render_html(self, parent_context=None):
        counts = selectors.urgent_held_counts()
        if not any(counts.values()):
            return ""
        return render_to_string("friends/admin/urgent_panel.html", counts, request=self.request)


@hooks.register("construct_homepage_panels")
def friends_urgent_panel(request, panels):
    if admin_views.can_moderate(request.user):
        panels.append(UrgentPanel(request))
