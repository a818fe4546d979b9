from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    name = "chat"
    verbose_name = _("Chat")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.contrib.auth.signals import user_logged_out
        from django.db.models.signals import post_delete

        from chat import personal_data, sockets, tasks
        from ordrom import personal_data as registry
        from ordrom import sweeps

        registry.register("chat", export=personal_data.export_chat, erase=personal_data.erase_chat)
        sweeps.register("chat.expire_waiting", tasks.expire_waiting_places)
        sweeps.register("chat.retention", tasks.delete_expired_conversations)
        # Framework edges, not business logic: a socket must not outlive its session.
        user_logged_out.connect(sockets.on_user_logged_out, dispatch_uid="chat.sockets.logout")
        post_delete.connect(
            sockets.on_user_deleted, sender=get_user_model(), dispatch_uid="chat.sockets.delete"
        )
