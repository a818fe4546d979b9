"""Default forum categories (editors and moderators can change them) and staff permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CATEGORIES = [
    ("ensomhet", "Ensomhet", "Loneliness", "post"),
    ("angst", "Angst", "Anxiety", "post"),
    ("depresjon", "Depresjon", "Depression", "post"),
    ("relasjoner", "Relasjoner", "Relationships", "post"),
    ("rus", "Rus", "Drugs and alcohol", "post"),
    ("selvskading", "Selvskading", "Self-harm", "pre"),
    ("hverdagen", "Hverdagen", "Everyday life", "post"),
]
MAINTAIN = [f"{verb}_category" for verb in ("add", "change", "view")]
GRANTS = {
    "moderator": MAINTAIN + [f"{v}_watchedword" for v in ("add", "change", "delete", "view")],
    "editor": MAINTAIN,
}


def forwards(apps, schema_editor):
    Category = apps.get_model("forum", "Category")
    for order, (slug, name_nb, name_en, moderation) in enumerate(CATEGORIES):
        Category.objects.get_or_create(
            slug=slug,
            defaults={"name_nb": name_nb, "name_en": name_en, "moderation": moderation,
                      "sort_order": order * 10},
        )
    app_config = apps.get_app_config("forum")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="forum", codename__in=codenames)
        )


def backwards(apps, schema_editor):
    apps.get_model("forum", "Category").objects.filter(
        slug__in=[c[0] for c in CATEGORIES], topic_count=0
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("forum", "0001_initial"), ("accounts", "0002_roles")]
    operations = [migrations.RunPython(forwards, backwards)]
