"""WSGI entry point (gunicorn config.wsgi).

Anonymous readers' cached pages are answered ahead of Django by blog.anonymous_pages; every
other request goes through the full stack.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_application = get_wsgi_application()

from blog.anonymous_pages import AnonymousPageFastPath  # noqa: E402 - needs the apps loaded above
from config.log_events import fast_path_headers  # noqa: E402 - likewise

application = AnonymousPageFastPath(django_application, extra_headers=fast_path_headers)
