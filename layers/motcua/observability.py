"""Logging and metrics (Powertools), in one neutral place every layer may import."""

from __future__ import annotations

import os

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.metrics.functions import is_metrics_disabled

SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME", "motcua")
NAMESPACE = os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "motcua")

logger = Logger(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)


def count(name: str, value: int = 1, **dimensions: str) -> None:
    """Count a business event (a filing, a decision), written as CloudWatch EMF.

    Dimensions stay few and bounded (an action, a timeliness), never an agency or a dossier:
    every distinct value is a metric the province pays for each month. POWERTOOLS_METRICS_DISABLED
    silences them all (the benchmarks' tables), single metrics included.
    """
    if is_metrics_disabled():
        return
    if not dimensions:
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
        return
    with single_metric(name=name, unit=MetricUnit.Count, value=value, namespace=NAMESPACE) as metric:
        metric.add_dimension("service", SERVICE)
        for key, dimension in dimensions.items():
            metric.add_dimension(key, dimension)


def flush() -> None:
    """Write the request's metrics, if any (called once per request by each entry point)."""
    if metrics.metric_set:
        metrics.flush_metrics()
