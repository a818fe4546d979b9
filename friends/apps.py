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
        from friends.services import _NOTICES, DELETED_USER
        from ordrom import notifications

        notifications.register_texts(_NOTICES, removed_subject=DELETED_USER)

        from django.db.models.signals import post_delete, post_save

        from friends.models import FriendStanding, Interest, Profile
        from friends.selectors import forget_browse_counts, forget_interests

        for model in (Profile, FriendStanding):
            post_save.connect(forget_browse_counts, sender=model, dispatch_uid=f"browse-{model}")
            post_delete.connect(forget_browse_counts, sender=model, dispatch_uid=f"browse-{model}")
        post_save.connect(forget_interests, sender=Interest, dispatch_uid="friends-interests")
        post_delete.connect(forget_interests, sender=Interest, dispatch_uid="friends-interests")
