"""`GET /v1/metrics`: the agent's gauges in Nomad's JSON, or `?format=prometheus`.

The JSON is go-metrics' summary (`Timestamp`, `Gauges`, `Points`, `Counters`,
`Samples`); the Prometheus text comes from prometheus_client, names with dots
turned to underscores as Nomad's Prometheus sink does. caravan always answers the
Prometheus format (Nomad wants `telemetry { prometheus_metrics = true }`; caravan
ignores the telemetry block). No token is needed, as with Nomad.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from caravan.errors import InvalidInput
from caravan.http.context import agent_of
from caravan.http.metrics_gauges import Gauge, gauges
from caravan.http.query import json_response

_UNSAFE = re.compile(r"[^a-zA-Z0-9_:]")


async def metrics(request: Request) -> Response:
    found = gauges(agent_of(request))
    fmt = request.query_params.get("format", "")
    if fmt == "prometheus":
        return Response(_prometheus(found), media_type=CONTENT_TYPE_LATEST)
    if fmt:
        raise InvalidInput(f'unknown metrics format "{fmt}"; leave it out for JSON, or '
                           f'"prometheus"')
    return json_response({
        # go-metrics' interval start, as Go prints a time.
        "Timestamp": time.strftime("%Y-%m-%d %H:%M:%S +0000 UTC",
                                   time.gmtime(time.time() // 10 * 10)),
        "Gauges": [{"Name": g.name, "Value": g.value, "Labels": g.labels} for g in found],
        "Points": [], "Counters": [], "Samples": [],
    })


class _Gauges:
    def __init__(self, found: list[Gauge]) -> None:
        self._found = found

    def collect(self) -> Iterator[Metric]:
        by_name: dict[str, list[Gauge]] = {}
        for gauge in self._found:
            by_name.setdefault(_UNSAFE.sub("_", gauge.name), []).append(gauge)
        for name, same in by_name.items():
            keys = sorted({k for g in same for k in g.labels})
            family = GaugeMetricFamily(name, name, labels=keys)
            for g in same:
                family.add_metric([g.labels.get(k, "") for k in keys], g.value)
            yield family


def _prometheus(found: list[Gauge]) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Gauges(found))
    return generate_latest(registry)


routes = [Route("/v1/metrics", metrics, methods=["GET"])]
