"""Log in with an email address (readers) or a username (writers), through the one backend."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class EmailOrUsernameBackend(ModelBackend):
    """Django's ModelBackend, which also accepts the account's email address as its name.

    An address shared by two accounts (possible for accounts made before sign-up checked
    addresses) logs neither in: guessing which one was meant is worse than refusing.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username and "@" in username:
            users = list(get_user_model()._default_manager.filter(email__iexact=username.strip())[:2])
            if len(users) == 1:
                username = users[0].get_username()
        return super().authenticate(request, username=username, password=password, **kwargs)
