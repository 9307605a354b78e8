from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.db.models.signals import m2m_changed

        from .roles import let_role_holders_into_the_admin

        m2m_changed.connect(
            let_role_holders_into_the_admin,
            sender=get_user_model().groups.through,
            dispatch_uid="accounts.role_holders_are_staff",
        )
