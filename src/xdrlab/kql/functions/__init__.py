"""KQL functions, one module per family; importing this package registers them all."""

from xdrlab.kql.functions import (  # noqa: F401  (imported for their registrations)
    aggregates,
    conditional,
    conversion,
    dates,
    dynamic,
    mathematics,
    network,
    series,
    strings,
    window,
)
