"""Who may work on which post: the permissions blog defines on Post, and the one rule over them.

Blog's pages ask this (a draft shows to those who may edit it) and so does authoring's admin,
which is why it lives here, below both: authoring depends on blog, never the other way.
PUBLISH_PERMISSION and EDIT_ANY_PERMISSION are not in Post's Meta; the roles' data migration
(accounts/0002) created them, and authoring.roles hands them out as the Editor role.
"""

PUBLISH_PERMISSION = "blog.publish_post"
EDIT_ANY_PERMISSION = "blog.edit_any_post"


def is_editor(user):
    """True when `user` may work on anyone's posts (Editors and superusers)."""
    return user.has_perm(EDIT_ANY_PERMISSION) and user.has_perm("blog.change_post")


def may_edit_post(user, post):
    """True when `user` may open and change `post` (and so read it before it is published)."""
    if not user.has_perm("blog.change_post"):
        return False
    return is_editor(user) or post.author_id == user.pk
