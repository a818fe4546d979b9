from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = _("Pages")

    def ready(self):
        from ordrom import sweeps
        from pages.tasks import purge_callback_requests

        sweeps.register("pages.purge_callback_requests", purge_callback_requests)
        self._forget_chrome_on_changes()
        self._forget_services_on_changes()

    def _forget_services_on_changes(self):
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from pages.models import HelpCategory, HelpService
        from pages.models.help import HelpServiceException, HelpServiceHours
        from pages.selectors import forget_services

        for model in (HelpService, HelpServiceHours, HelpServiceException, HelpCategory):
            for signal in (post_save, post_delete):
                signal.connect(forget_services, sender=model,
                               dispatch_uid=f"pages.services.{id(signal)}.{model.__name__}")
        m2m_changed.connect(forget_services, sender=HelpService.categories.through,
                            dispatch_uid="pages.services.categories")

    def _forget_chrome_on_changes(self):
        from django.db.models.signals import post_delete, post_save
        from wagtail.models import Page, Site
        from wagtail.signals import (
            page_published,
            page_slug_changed,
            page_unpublished,
            post_page_move,
        )

        from pages import chrome
        from pages.models import SiteSettings

        for signal in (page_published, page_unpublished, post_page_move, page_slug_changed):
            signal.connect(chrome.forget, dispatch_uid=f"pages.chrome.{id(signal)}")
        for model in (SiteSettings, Site, Page):
            post_save.connect(
                chrome.forget, sender=model, dispatch_uid=f"pages.chrome.save.{model.__name__}"
            )
            post_delete.connect(
                chrome.forget, sender=model, dispatch_uid=f"pages.chrome.delete.{model.__name__}"
            )
