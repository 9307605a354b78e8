"""The two writer roles, Author and Editor, as Django groups, and what each may do with a post.

The admin asks these functions rather than checking group names itself, so the rules live in
one place: an Author works on their own posts and publishes only where AUTHORS_CAN_PUBLISH is
on; an Editor works on everyone's posts and manages series, tags and sources; a superuser can
do everything. Who may edit which post is blog.permissions (blog's pages need it too).

What each group holds was set by the data migration accounts/0002, which keeps its own frozen
copy of the permission lists; a change to a role ships as a new migration, not as a list here.
"""

from django.conf import settings
from django.contrib.auth.models import Group

from blog.permissions import PUBLISH_PERMISSION

AUTHOR = "Author"
EDITOR = "Editor"


def can_publish(user):
    """True when `user` may make a post live (publish or schedule), not only save a draft."""
    if not user.is_active:
        return False
    if user.is_superuser or user.has_perm(PUBLISH_PERMISSION):
        return True
    return bool(settings.AUTHORS_CAN_PUBLISH) and user.has_perm("blog.add_post")


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
