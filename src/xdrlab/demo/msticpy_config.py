"""`msticpyconfig.yaml` for the demo tenant, written beside `demo.json`.

msticpy (the analysts' notebook library) is pointed at xdrlab by its own configuration file
alone: `Azure.resource_manager_url` is where it reads the cloud metadata document that names the
login host, and the `MicrosoftDefender` provider's `apiRoot` is where it sends queries. Its
three Defender providers (`MDE`, `M365D`, `M365DGraph`) share that one section.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from xdrlab.files import write_private

FILE_NAME = "msticpyconfig.yaml"


def _scalar(value: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar: no YAML library needed, nothing to
    # escape by hand.
    return json.dumps(value)


def msticpy_config(document: dict[str, Any], path: Path) -> str:
    """The text of the file at `path` for a demo.json `document`."""
    base = str(document["api_base"]).rstrip("/")
    ca_file = document.get("ca_file")
    trust = (
        f"#   export SSL_CERT_FILE={ca_file}   # msticpy uses httpx, which trusts this file\n"
        if ca_file
        else ""
    )
    return (
        "# msticpy configuration for the xdrlab demo tenant, written by xdrlab at each demo start.\n"
        "# Use it from a notebook or script:\n"
        f"#   export MSTICPYCONFIG={path.resolve()}\n"
        f"{trust}"
        "#   from msticpy.data import QueryProvider\n"
        '#   qp = QueryProvider("MDE")   # or "M365DGraph"; "M365D" runs as MDE\n'
        "#   qp.connect()\n"
        '#   qp.exec_query("DeviceProcessEvents | take 10")\n'
        "Azure:\n"
        '  cloud: "global"\n'
        f"  resource_manager_url: {_scalar(base + '/')}\n"
        "DataProviders:\n"
        "  MicrosoftDefender:\n"
        "    Args:\n"
        f"      ClientId: {_scalar(str(document['client_id']))}\n"
        f"      ClientSecret: {_scalar(str(document['client_secret']))}\n"
        f"      TenantId: {_scalar(str(document['tenant_id']))}\n"
        f"      apiRoot: {_scalar(base)}\n"
    )


def write_msticpy_config(state_dir: Path, document: dict[str, Any]) -> Path:
    path = state_dir / FILE_NAME
    write_private(path, msticpy_config(document, path).encode())
    return path
