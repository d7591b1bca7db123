"""The distributed hunting engine: compiled queries on Spark SQL (optional `spark` extra)."""

from xdrlab.engine.distributed.executor import NotSupportedBySpark, SparkEngine
from xdrlab.engine.distributed.session import SparkSettings

__all__ = ["NotSupportedBySpark", "SparkEngine", "SparkSettings"]
