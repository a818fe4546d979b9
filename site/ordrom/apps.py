from django.apps import AppConfig


class OrdromConfig(AppConfig):
    name = "ordrom"

    def ready(self):
        from ordrom import admin_config, admin_fragments, admin_sidebar

        admin_sidebar.install()
        admin_fragments.install()
        admin_config.install()
