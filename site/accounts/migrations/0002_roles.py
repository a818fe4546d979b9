"""Create the role groups with their permissions.

Later apps grant their own staff permissions to these groups in their own migrations.
Permissions are normally created after all migrations (post_migrate), so on a fresh
database they do not exist yet here: create_permissions() makes them first.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = ["member", "supervisor", "moderator", "coordinator", "editor"]
STAFF = ["supervisor", "moderator", "coordinator", "editor"]
EDITOR_MODEL_PERMISSIONS = [
    ("pages", "change_sitesettings"),
    ("simple_translation", "submit_translation"),
]
EDITOR_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
EDITOR_COLLECTION_PERMISSIONS = [
    ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
    ("wagtaildocs", "choose_document"),
]


def _ensure_permissions(apps):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def create_roles(apps, schema_editor):
    _ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")

    def permission(app_label, codename):
        return Permission.objects.get(content_type__app_label=app_label, codename=codename)

    # Wagtail's migrations create "Moderators" and "Editors" with page rights; our roles
    # replace them, and a second "moderator" group with other rights would only confuse.
    Group.objects.filter(name__in=["Moderators", "Editors"]).delete()
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in ROLES}
    access_admin = permission("wagtailadmin", "access_admin")
    for name in STAFF:
        groups[name].permissions.add(access_admin)

    editor = groups["editor"]
    for app_label, codename in EDITOR_MODEL_PERMISSIONS:
        editor.permissions.add(permission(app_label, codename))
    root_page = Page.objects.filter(depth=1).first()
    if root_page is not None:
        for codename in EDITOR_PAGE_PERMISSIONS:
            GroupPagePermission.objects.get_or_create(
                group=editor, page=root_page, permission=permission("wagtailcore", codename)
            )
    root_collection = Collection.objects.filter(depth=1).first()
    if root_collection is not None:
        for app_label, codename in EDITOR_COLLECTION_PERMISSIONS:
            GroupCollectionPermission.objects.get_or_create(
                group=editor, collection=root_collection, permission=permission(app_label, codename)
            )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("pages", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("simple_translation", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
