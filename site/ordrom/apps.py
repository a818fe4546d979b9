from django.apps import AppConfig


class OrdromConfig(AppConfig):
    name = "ordrom"

    def ready(self):
        from ordrom import admin_config, admin_fragments, admin_sidebar

        admin_sidebar.install()
        admin_fragments.install()
        admin_config.install()
        self._forget_group_permissions_on_change()

    @staticmethod
    def _forget_group_permissions_on_change():
        from django.contrib.auth.models import Group, Permission
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from ordrom.auth_backends import forget_group_permissions

        m2m_changed.connect(forget_group_permissions, sender=Group.permissions.through,
                            dispatch_uid="ordrom-group-permissions")
        for model in (Group, Permission):
            for signal in (post_save, post_delete):
                signal.connect(forget_group_permissions, sender=model,
                               dispatch_uid=f"ordrom-group-permissions-{model.__name__}")
