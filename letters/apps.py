from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LettersConfig(AppConfig):
    name = "letters"
    verbose_name = _("Letters")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from letters import personal_data, selectors, tasks
        from letters.models import Topic
        from ordrom import personal_data as registry
        from ordrom import sweeps

        registry.register(
            "letters", export=personal_data.export_letters, erase=personal_data.erase_letters
        )
        sweeps.register("letters.close_quiet_threads", tasks.close_quiet_threads)
        sweeps.register("letters.retention", tasks.delete_expired_threads)
        sweeps.register("letters.deadline_digest", tasks.send_deadline_digest)
        post_save.connect(selectors.forget_queue, sender=Topic, dispatch_uid="topic-saved")
        post_delete.connect(selectors.forget_queue, sender=Topic, dispatch_uid="topic-deleted")
