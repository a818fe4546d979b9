from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from wagtail.users.apps import WagtailUsersAppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from accounts import services
        from ordrom import personal_data

        # The account itself goes last: every other section still needs the user row.
        personal_data.register(
            "account",
            export=services.account_export_section,
            erase=services.account_erase_section,
            order=1000,
        )


class WagtailUsersConfig(WagtailUsersAppConfig):
    """wagtail.users with Ordrom's user forms (no name or email fields)."""

    user_viewset = "accounts.viewsets.UserViewSet"
