from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuthoringConfig(AppConfig):
    name = "authoring"
    verbose_name = _("Authoring")

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.db.models.signals import m2m_changed

        from .roles import let_role_holders_into_the_admin

        m2m_changed.connect(
            let_role_holders_into_the_admin,
            sender=get_user_model().groups.through,
            dispatch_uid="authoring.role_holders_are_staff",
        )
