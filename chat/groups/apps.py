from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatGroupsConfig(AppConfig):
    """Group sessions (Samtalerom): scheduled, supervisor-led group chats."""

    name = "chat.groups"
    label = "chatgroups"
    verbose_name = _("Group sessions")
    default_auto_field = "django.db.models.BigAutoField"
