"""One log line per event, carrying the request (or task) id, level and logger; errors also go
to Sentry when SENTRY_DSN is set.

The id comes from the `X-Request-ID` header a proxy or load balancer set (nginx's
`$request_id`), if it looks like one, else a new one; the response carries it back, so a
reader's report, the proxy's access log and these lines meet on one value. A Celery task logs
under its task id. Tracebacks stay on the event's line (newlines escaped), so a log shipper
never splits one event into many.
"""

import contextvars
import json
import logging
import re
import uuid

from django.conf import settings

REQUEST_ID_HEADER = "X-Request-ID"
# What a request id from outside may look like: short, and nothing a log line could be forged with.
ACCEPTED_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
NO_REQUEST = "-"

current_request_id = contextvars.ContextVar("inkstone_request_id", default=NO_REQUEST)


def request_id_for(offered):
    """Return the id of a request that came with `offered` as its X-Request-ID: it, or a new one."""
    return offered if ACCEPTED_REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex


def fast_path_headers(environ):
    """Return the headers the stack's RequestIdMiddleware would add, for an answer made before it."""
    return [(REQUEST_ID_HEADER, request_id_for(environ.get("HTTP_X_REQUEST_ID", "")))]


class RequestIdMiddleware:
    """Give every request an id (the proxy's if acceptable), for its log lines and its response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_for(request.headers.get(REQUEST_ID_HEADER, ""))
        request.request_id = request_id
        token = current_request_id.set(request_id)
        try:
            if settings.SENTRY_DSN:
                import sentry_sdk

                sentry_sdk.set_tag("request_id", request_id)
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            return response
        finally:
            current_request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Stamp each record with the id of the request or task it was logged in ("-" if none)."""

    def filter(self, record):
        request_id = current_request_id.get()
        if request_id == NO_REQUEST:
            # django.request logs a 4xx/5xx answer after the middleware has returned, with the
            # request attached to the record.
            request_id = getattr(getattr(record, "request", None), "request_id", NO_REQUEST)
        record.request_id = request_id
        return True


class OneLineFormatter(logging.Formatter):
    """`time level logger [request id] message`, with any traceback folded onto the same line."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record):
        return super().format(record).replace("\\", "\\\\").replace("\n", "\\n")


class JsonLineFormatter(logging.Formatter):
    """One JSON object per line (LOG_FORMAT=json), for log pipelines that parse fields."""

    def format(self, record):
        event = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", NO_REQUEST),
            "message": record.getMessage(),
        }
        if record.exc_info:
            event["exception"] = self.formatException(record.exc_info)
        return json.dumps(event, ensure_ascii=False)


def logging_config(level, log_format):
    """The LOGGING dict: everything to stderr, one line per event, with request ids."""
    formatter = "json" if log_format == "json" else "line"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"line": {"()": OneLineFormatter}, "json": {"()": JsonLineFormatter}},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": formatter}
        },
        "root": {"handlers": ["console"], "level": level},
    }


def start_error_reports(dsn, environment, traces_sample_rate):
    """Send errors (uncaught exceptions, ERROR log records) of the site and the workers to Sentry.

    No personal data is sent (no cookies, user names or addresses); the request id is a tag.
    """
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        traces_sample_rate=traces_sample_rate,
        send_default_pii=False,
    )
