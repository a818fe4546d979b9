from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatGroupsConfig(AppConfig):
    """Group sessions (Samtalerom): scheduled, supervisor-led group chats."""

    name = "chat.groups"
    label = "chatgroups"
    verbose_name = _("Group sessions")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.urls import reverse_lazy

        from chat.groups import personal_data, selectors, tasks
        from ordrom import personal_data as registry
        from ordrom import sweeps
        from pages import group_schedule

        registry.register(
            "group_sessions", export=personal_data.export_groups, erase=personal_data.erase_groups
        )
        sweeps.register("chatgroups.generate_sessions", tasks.generate_sessions)
        sweeps.register("chatgroups.close_ended", tasks.close_ended_sessions)
        from chat.groups.services import NOTE_KIND, NOTE_TEXT
        from ordrom import notifications

        notifications.register_texts({NOTE_KIND: NOTE_TEXT})
        group_schedule.register(
            status=selectors.next_session_status, url=reverse_lazy("chatgroups:index")
        )
