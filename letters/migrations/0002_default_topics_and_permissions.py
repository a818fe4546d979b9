"""Default letter topics (editors can change them) and the staff permissions for letters."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

TOPICS = [
    ("ensomhet", "Ensomhet", "Loneliness"),
    ("angst-depresjon", "Angst og depresjon", "Anxiety and depression"),
    ("familie-venner", "Familie og venner", "Family and friends"),
    ("kjaerlighet", "Kjærlighet og forhold", "Love and relationships"),
    ("skole-jobb", "Skole og jobb", "School and work"),
    ("kropp-helse", "Kropp og helse", "Body and health"),
    ("rus", "Rus", "Drugs and alcohol"),
    ("sorg", "Sorg og tap", "Grief and loss"),
    ("annet", "Annet", "Something else"),
]

GRANTS = {
    "editor": [f"{verb}_topic" for verb in ("add", "change", "delete", "view")]
    + [f"{verb}_replytemplate" for verb in ("add", "change", "delete", "view")],
    "coordinator": [f"{verb}_replytemplate" for verb in ("add", "change", "delete", "view")]
    + ["view_topic"],
    "supervisor": ["view_replytemplate"],
}


def forwards(apps, schema_editor):
    Topic = apps.get_model("letters", "Topic")
    for order, (slug, name_nb, name_en) in enumerate(TOPICS):
        Topic.objects.get_or_create(
            slug=slug, defaults={"name_nb": name_nb, "name_en": name_en, "sort_order": order * 10}
        )
    app_config = apps.get_app_config("letters")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="letters", codename__in=codenames)
        )


def backwards(apps, schema_editor):
    apps.get_model("letters", "Topic").objects.filter(slug__in=[t[0] for t in TOPICS]).delete()


class Migration(migrations.Migration):
    dependencies = [("letters", "0001_initial"), ("accounts", "0002_roles")]
    operations = [migrations.RunPython(forwards, backwards)]
