"""Editors maintain help services and categories; the permissions go to the editor role."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR = [
    ("pages", codename)
    for model in ("helpservice", "helpcategory")
    for codename in (f"add_{model}", f"change_{model}", f"delete_{model}", f"view_{model}")
]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("pages")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editor, _ = Group.objects.get_or_create(name="editor")
    for app_label, codename in EDITOR:
        editor.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editor = Group.objects.filter(name="editor").first()
    if editor:
        editor.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="pages", codename__in=[c for _, c in EDITOR]
            )
        )


class Migration(migrations.Migration):
    dependencies = [("pages", "0002_help_services"), ("accounts", "0002_roles")]
    operations = [migrations.RunPython(grant, revoke)]
