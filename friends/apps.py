from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FriendsConfig(AppConfig):
    name = "friends"
    verbose_name = _("Friend service")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from friends import personal_data
        from ordrom import personal_data as registry

        registry.register(
            "friends",
            export=personal_data.export_friends,
            erase=personal_data.erase_friends,
            order=50,
        )
