"""Log in with an email address (readers) or a username (writers), through the one backend."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


def account_for_login_name(name):
    """The account a log-in name means, or None: the one account with that email address, else
    the account with that username.

    The name is NFKC-normalized first, as Django's log-in form does, so "ｒｅａｄｅｒ@example.com"
    means reader@example.com. The failed-login counter uses this too, so that every spelling
    that logs an account in counts against that account (accounts.forms).
    """
    user_model = get_user_model()
    name = user_model.normalize_username(name or "").strip()
    if not name:
        return None
    if "@" in name:
        users = list(user_model._default_manager.filter(email__iexact=name)[:2])
        if len(users) == 1:
            return users[0]
    try:
        return user_model._default_manager.get_by_natural_key(name)
    except user_model.DoesNotExist:
        return None


class EmailOrUsernameBackend(ModelBackend):
    """Django's ModelBackend, which also accepts the account's email address as its name.

    An address shared by two accounts (possible for accounts made before sign-up checked
    addresses) logs neither in by address: guessing which one was meant is worse than refusing.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        user_model = get_user_model()
        if username is None:
            username = kwargs.get(user_model.USERNAME_FIELD)
        if username is None or password is None:
            return None
        user = account_for_login_name(username)
        if user is None:
            # Hash anyway, so an unknown name takes as long as a wrong password (Django #20760).
            user_model().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
