"""Staff workspace for letters: the queue, review, statistics and audit log as admin views
(in ``admin_views.py``), a deadline panel on the dashboard, and topics and reply templates
as snippets."""

from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.ui.components import Component
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from letters import admin_views
from letters.models import ReplyTemplate, Topic


class TopicViewSet(SnippetViewSet):
    model = Topic
    icon = "tag"
    menu_label = _("Letter topics")
    list_display = ["name_nb", "name_en", "slug", "sort_order", "is_active"]


class ReplyTemplateViewSet(SnippetViewSet):
    model = ReplyTemplate
    icon = "doc-full"
    menu_label = _("Reply templates")
    list_display = ["title"]
    search_fields = ["title", "body"]


class LetterSnippetsGroup(SnippetViewSetGroup):
    items = (TopicViewSet, ReplyTemplateViewSet)
    menu_icon = "doc-full"
    menu_label = _("Letter topics and templates")
    menu_name = "letter_snippets"
    menu_order = 320


register_snippet(LetterSnippetsGroup)


@hooks.register("register_admin_urls")
def letters_admin_urls():
    v = admin_views
    return [
        path("letters/", v.queue, name="letters_queue"),
        path("letters/next/", v.claim_next, name="letters_claim_next"),
        path("letters/<int:letter_id>/", v.letter_page, name="letters_letter"),
        path("letters/<int:letter_id>/claim/", v.claim, name="letters_claim"),
        path("letters/<int:letter_id>/autosave/", v.autosave, name="letters_autosave"),
        path("letters/<int:letter_id>/review/", v.review_action, name="letters_review_action"),
        path("letters/review/", v.review_list, name="letters_review"),
        path("letters/statistics/", v.statistics, name="letters_statistics"),
        path("letters/statistics.csv", v.statistics_csv, name="letters_statistics_csv"),
        path("letters/audit/", v.audit_log, name="letters_audit"),
    ]


class RoleMenuItem(MenuItem):
    def __init__(self, *args, check, **kwargs):
        super().__init__(*args, **kwargs)
        self.check = check

    def is_shown(self, request):
        return self.check(request.user)


@hooks.register("register_admin_menu_item")
def letters_menu_item():
    items = [
        RoleMenuItem(
            _("Reply queue"), reverse("letters_queue"), name="letters_queue",
            icon_name="mail", order=10, check=admin_views.can_answer,
        ),
        RoleMenuItem(
            _("Waiting for review"), reverse("letters_review"), name="letters_review",
            icon_name="tick", order=20, check=admin_views.can_coordinate,
        ),
        RoleMenuItem(
            _("Statistics"), reverse("letters_statistics"), name="letters_statistics",
            icon_name="table", order=30, check=admin_views.can_coordinate,
        ),
        RoleMenuItem(
            _("Audit log"), reverse("letters_audit"), name="letters_audit",
            icon_name="history", order=40, check=admin_views.can_coordinate,
        ),
    ]
    # A submenu is shown when one of its items is: to supervisors and coordinators only.
    return SubmenuMenuItem(_("Letters"), Menu(items=items), name="letters", icon_name="mail",
                           order=200)


class DeadlinePanel(Component):
    """Letters due within 12 hours with nobody on them, on the coordinators' dashboard."""

    name = "letters_deadline"
    order = 90

    def __init__(self, request):
        self.request = request

    def render_html(self, parent_context=None):
        context = admin_views.deadline_panel_context(self.request)
        if not context["alerts"]:
            return ""
        return render_to_string(
            "letters/admin/deadline_panel.html", context, request=self.request
        )


@hooks.register("construct_homepage_panels")
def letters_deadline_panel(request, panels):
    if admin_views.can_coordinate(request.user):
        panels.append(DeadlinePanel(request))
