"""Default interests (editors and moderators maintain them) and who may edit the list."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

INTERESTS = [
    ("musikk", "Musikk", "Music"),
    ("boker", "Bøker og lesing", "Books and reading"),
    ("film-og-serier", "Film og serier", "Films and series"),
    ("spill", "Spill", "Games"),
    ("natur", "Natur og friluftsliv", "Nature and the outdoors"),
    ("dyr", "Dyr", "Animals"),
    ("trening", "Trening og sport", "Exercise and sport"),
    ("mat", "Mat og baking", "Food and baking"),
    ("kunst", "Kunst og tegning", "Art and drawing"),
    ("skriving", "Skriving og dikt", "Writing and poetry"),
    ("handarbeid", "Håndarbeid", "Crafts and needlework"),
    ("reiser", "Reiser", "Travel"),
    ("historie", "Historie", "History"),
    ("teknologi", "Teknologi", "Technology"),
    ("hverdagsprat", "Hverdagsprat", "Everyday chat"),
    ("psykisk-helse", "Psykisk helse", "Mental health"),
]
MAINTAIN = [f"{verb}_interest" for verb in ("add", "change", "view")]
GRANTS = {"editor": MAINTAIN, "moderator": MAINTAIN}


def forwards(apps, schema_editor):
    Interest = apps.get_model("friends", "Interest")
    for order, (slug, name_nb, name_en) in enumerate(INTERESTS):
        Interest.objects.get_or_create(
            slug=slug, defaults={"name_nb": name_nb, "name_en": name_en, "sort_order": order * 10}
        )
    app_config = apps.get_app_config("friends")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="friends", codename__in=codenames)
        )


def backwards(apps, schema_editor):
    apps.get_model("friends", "Interest").objects.filter(
        slug__in=[slug for slug, _nb, _en in INTERESTS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("friends", "0001_initial"), ("accounts", "0002_roles")]
    operations = [migrations.RunPython(forwards, backwards)]
