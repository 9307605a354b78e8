"""`/health/` for load balancers and orchestrators: 200 when the database, the cache, the state
Redis, the Celery broker and the media storage all answer, 503 (take this instance out of the
pool) when any does not.

The probes are django-health-check's; this module picks them and answers in the shape a balancer
wants: a status code, and one short line per dependency that names no host, port or error (those
go to the log, where the check's warning carries the exception). The response is never cached
(`Cache-Control: no-store`), touches no session, counts against no rate limit, and is exempt
from the HTTPS redirect, so a balancer may probe the instance over plain HTTP.
"""

import asyncio
import dataclasses

from django.conf import settings
from django.http import HttpResponse
from health_check.base import HealthCheck
from health_check.checks import Cache, Database, Storage
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView
from kombu import Connection

from config.db_routers import REPLICA, replica_configured

# Seconds each network probe may take to connect; the checks run at once, so the whole
# answer comes within about this (plus the library's margin), below a balancer's usual timeout.
CONNECT_TIMEOUT = 2


@dataclasses.dataclass
class Broker(HealthCheck):
    """The Celery broker at `url` accepts a connection (any kombu transport: Redis, AMQP…)."""

    url: str = dataclasses.field(repr=False, default="")

    def run(self):
        try:
            with Connection(self.url, connect_timeout=CONNECT_TIMEOUT) as connection:
                connection.ensure_connection(max_retries=1, timeout=CONNECT_TIMEOUT)
        except Exception as error:  # kombu raises the transport's own errors; any one means down
            raise ServiceUnavailable("The broker does not answer.") from error


def checks():
    """The (name, probe) pairs /health/ runs, built per request from the current settings."""
    named = [
        ("database", Database(alias="default")),
        ("cache", Cache(alias="default")),
        ("state", Cache(alias="state")),
        ("broker", Broker(url=settings.CELERY_BROKER_URL)),
        ("storage", Storage(alias="default")),
    ]
    if replica_configured():
        named.insert(1, ("replica", Database(alias=REPLICA)))
    return named


class HealthView(HealthCheckView):
    """Run every probe at once; 200 with "name: ok" lines, or 503 naming what is down.

    The parent's dispatch adds the never-cache headers and keeps the request out of any
    transaction; its HTML and JSON reports (which show hosts) are not offered here.
    """

    async def get(self, request, *args, **kwargs):
        named = checks()
        results = await asyncio.gather(*(probe.get_result() for _name, probe in named))
        lines = [
            f"{name}: {'unavailable' if result.error else 'ok'}"
            for (name, _probe), result in zip(named, results, strict=True)
        ]
        down = any(result.error for result in results)
        return HttpResponse(
            "\n".join(lines) + "\n", status=503 if down else 200, content_type="text/plain; charset=utf-8"
        )
