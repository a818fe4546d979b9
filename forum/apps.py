from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForumConfig(AppConfig):
    name = "forum"
    verbose_name = _("Forum")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from forum import personal_data
        from forum.models import TITLE_REMOVED
        from forum.views import NOTIFICATION_TEXTS
        from ordrom import notifications
        from ordrom import personal_data as registry

        notifications.register_texts(NOTIFICATION_TEXTS, removed_subject=TITLE_REMOVED)

        registry.register(
            "forum", export=personal_data.export_forum, erase=personal_data.erase_forum, order=50
        )
