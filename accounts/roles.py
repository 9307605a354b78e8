"""The two writer roles, Author and Editor, as Django groups, and what each may do with a post.

The admin asks these functions rather than checking group names itself, so the rules live in
one place: an Author works on their own posts and publishes only where AUTHORS_CAN_PUBLISH is
on; an Editor works on everyone's posts and manages series, tags and sources; a superuser can
do everything.
"""

from django.conf import settings
from django.contrib.auth.models import Group

AUTHOR = "Author"
EDITOR = "Editor"

# Two permissions on Post beyond Django's four; not in Post's Meta (blog owns that model), they
# are created by accounts' data migration.
PUBLISH_PERMISSION = "blog.publish_post"
EDIT_ANY_PERMISSION = "blog.edit_any_post"
CUSTOM_POST_PERMISSIONS = {
    "publish_post": "Can publish posts",
    "edit_any_post": "Can edit anyone's posts",
}

# (app_label, codename) pairs each group is given by the data migration.
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


def is_editor(user):
    """True when `user` may work on anyone's posts (Editors and superusers)."""
    return user.has_perm(EDIT_ANY_PERMISSION) and user.has_perm("blog.change_post")


def can_publish(user):
    """True when `user` may make a post live (publish or schedule), not only save a draft."""
    if not user.is_active:
        return False
    if user.is_superuser or user.has_perm(PUBLISH_PERMISSION):
        return True
    return bool(settings.AUTHORS_CAN_PUBLISH) and user.has_perm("blog.add_post")


def may_edit_post(user, post):
    """True when `user` may open and change `post` in the admin."""
    if not user.has_perm("blog.change_post"):
        return False
    return is_editor(user) or post.author_id == user.pk


def grant_role(user, role):
    """Put `user` in the group `role` (AUTHOR or EDITOR), which lets them into the admin."""
    user.groups.add(Group.objects.get(name=role))  # see let_role_holders_into_the_admin
    # Permission caches on the instance are now stale.
    for attribute in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(attribute, None)


def let_role_holders_into_the_admin(sender, instance, action, reverse, pk_set, **kwargs):
    """m2m_changed on User.groups: whoever joins Author or Editor, by any route, may log in to the admin.

    Without it an editor who ticks "Author" on a colleague's user page, but not "Staff status",
    leaves them with a role they cannot use. Leaving a group never takes staff status away.
    """
    if action != "post_add" or not pk_set:
        return
    from django.contrib.auth import get_user_model

    if reverse:  # group.user_set.add(users): instance is the group, pk_set the users
        if instance.name in (AUTHOR, EDITOR):
            get_user_model().objects.filter(pk__in=pk_set, is_staff=False).update(is_staff=True)
    elif Group.objects.filter(pk__in=pk_set, name__in=(AUTHOR, EDITOR)).exists():
        get_user_model().objects.filter(pk=instance.pk, is_staff=False).update(is_staff=True)
        instance.is_staff = True
