"""Staff workspace for the group sessions (Samtalerom): sessions, room console and series,
as admin views in ``admin_views.py``, under /admin/samtalerom/."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from chat.groups import admin_views


@hooks.register("register_admin_urls")
def groups_admin_urls():
    v = admin_views
    return [
        path("samtalerom/", v.sessions, name="chatgroups_sessions"),
        path("samtalerom/series/", v.series_list, name="chatgroups_series"),
        path("samtalerom/series/new/", v.series_edit, name="chatgroups_series_new"),
        path("samtalerom/series/<int:series_id>/", v.series_edit, name="chatgroups_series_edit"),
        path("samtalerom/<int:session_id>/", v.session_page, name="chatgroups_session"),
        path("samtalerom/<int:session_id>/room/", v.console, name="chatgroups_console"),
        path("samtalerom/<int:session_id>/topic/", v.topic, name="chatgroups_topic"),
        path("samtalerom/<int:session_id>/close/", v.close, name="chatgroups_close"),
        path(
            "samtalerom/<int:session_id>/participants/<int:participant_id>/note/",
            v.note_send, name="chatgroups_note",
        ),
        path(
            "samtalerom/<int:session_id>/participants/<int:participant_id>/mute/",
            v.mute, name="chatgroups_mute",
        ),
        path(
            "samtalerom/<int:session_id>/participants/<int:participant_id>/remove/",
            v.remove, name="chatgroups_remove",
        ),
    ]


class RoleMenuItem(MenuItem):
    def __init__(self, *args, check, **kwargs):
        super().__init__(*args, **kwargs)
        self.check = check

    def is_shown(self, request):
        return self.check(request.user)


@hooks.register("register_admin_menu_item")
def groups_menu_item():
    items = [
        RoleMenuItem(
            _("Group sessions"), reverse("chatgroups_sessions"), name="chatgroups_sessions",
            icon_name="group", order=10, check=admin_views.can_lead,
        ),
        RoleMenuItem(
            _("Group series"), reverse("chatgroups_series"), name="chatgroups_series",
            icon_name="date", order=20, check=admin_views.can_schedule,
        ),
    ]
    return SubmenuMenuItem(_("Samtalerom"), Menu(items=items), name="samtalerom",
                           icon_name="group", order=220)
