from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = _("Pages")

    def ready(self):
        from ordrom import sweeps
        from pages.tasks import purge_callback_requests

        sweeps.register("pages.purge_callback_requests", purge_callback_requests)
