"""The admin site every app registers with: Django's, with one request check of its own.

INSTALLED_APPS names InkstoneAdminConfig instead of "django.contrib.admin", which makes
InkstoneAdminSite the `admin.site` that apps' admin modules register with.
"""

from functools import wraps

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.options import TO_FIELD_VAR
from django.http import HttpResponseBadRequest


class InkstoneAdminSite(admin.AdminSite):
    """Django's admin site, answering 400 to a request whose `_to_field` is empty.

    The admin's own pages send `_to_field` only with a field name in it. Sent empty, Django's
    change and delete views skip the check of which fields may be used (it is falsy) and then
    look the object up by a field named "", which fails as a server error on every model.
    """

    def admin_view(self, view, cacheable=False):
        @wraps(view)
        def refusing_empty_to_field(request, *args, **kwargs):
            if request.GET.get(TO_FIELD_VAR) == "" or request.POST.get(TO_FIELD_VAR) == "":
                return HttpResponseBadRequest()
            return view(request, *args, **kwargs)

        return super().admin_view(refusing_empty_to_field, cacheable)


class InkstoneAdminConfig(AdminConfig):
    """django.contrib.admin, with InkstoneAdminSite as the default site."""

    default_site = "config.admin_site.InkstoneAdminSite"
