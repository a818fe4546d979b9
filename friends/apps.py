from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FriendsConfig(AppConfig):
    name = "friends"
    verbose_name = _("Friend service")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from friends import personal_data, tasks
        from ordrom import personal_data as registry
        from ordrom import sweeps

        registry.register(
            "friends",
            export=personal_data.export_friends,
            erase=personal_data.erase_friends,
            order=50,
        )
        sweeps.register("friends.expired_profiles", tasks.notify_expired_profiles)
        from friends.services import _NOTICES
        from ordrom import notifications

        notifications.register_texts(_NOTICES)
