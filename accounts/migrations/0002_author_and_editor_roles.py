"""Create the Author and Editor groups with their permissions, and Post's two extra permissions.

Django creates model permissions only after all migrations ran (post_migrate), so on a fresh
database they do not exist yet here: they are created now, with the same names Django would
give, and Django's own pass later finds them and skips them.
"""

from django.db import migrations

# Frozen copies of accounts.roles as of this migration: a later change to the roles ships as a
# new migration, and this one keeps doing what it did.
AUTHOR = "Author"
EDITOR = "Editor"
CUSTOM_POST_PERMISSIONS = {"publish_post": "Can publish posts", "edit_any_post": "Can edit anyone's posts"}
AUTHOR_PERMISSIONS = [
    ("blog", "add_post"),
    ("blog", "change_post"),
    ("blog", "view_post"),
    ("blog", "view_series"),
    ("blog", "view_tag"),
]
EDITOR_PERMISSIONS = [
    *[("blog", f"{action}_post") for action in ("add", "change", "delete", "view", "publish", "edit_any")],
    *[
        ("blog", f"{action}_{model}")
        for model in ("series", "tag", "source")
        for action in ("add", "change", "delete", "view")
    ],
]

MODEL_NAMES = {"post": "post", "series": "series", "tag": "tag", "source": "feed source"}
ACTION_NAMES = {"add": "Can add", "change": "Can change", "delete": "Can delete", "view": "Can view"}


def permission(apps, app_label, codename):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    if codename in CUSTOM_POST_PERMISSIONS:
        model, name = "post", CUSTOM_POST_PERMISSIONS[codename]
    else:
        action, model = codename.split("_", 1)
        name = f"{ACTION_NAMES[action]} {MODEL_NAMES[model]}"
    content_type, _created = ContentType.objects.get_or_create(app_label=app_label, model=model)
    found, _created = Permission.objects.get_or_create(
        content_type=content_type, codename=codename, defaults={"name": name}
    )
    return found


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group_name, permissions in ((AUTHOR, AUTHOR_PERMISSIONS), (EDITOR, EDITOR_PERMISSIONS)):
        group, _created = Group.objects.get_or_create(name=group_name)
        group.permissions.add(*[permission(apps, app_label, codename) for app_label, codename in permissions])


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[AUTHOR, EDITOR]).delete()
    apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="blog", codename__in=list(CUSTOM_POST_PERMISSIONS)
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("blog", "0003_feed_sources"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
