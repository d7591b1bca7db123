"""msticpy's Defender providers in certificate mode, configured only through msticpyconfig.yaml
(MSTICPYCONFIG): MSAL with its default authority for the token, then production's hunting
URLs. Prints the rows each provider returned."""

import json
import sys
import warnings

from msticpy.data import QueryProvider

warnings.simplefilter("ignore", DeprecationWarning)
query = "DeviceProcessEvents | take 4 | project Timestamp, DeviceName, FileName"
rows = {}
for provider_name in sys.argv[1:]:
    provider = QueryProvider(provider_name)
    provider.connect()
    frame = provider.exec_query(query)
    rows[provider_name] = {
        "rows": len(frame),
        "columns": list(frame.columns),
        "timestamp_type": str(frame["Timestamp"].dtype),
    }
print(json.dumps(rows))
