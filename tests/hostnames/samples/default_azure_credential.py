"""A script as people write it for production: `DefaultAzureCredential()` with nothing but the
AZURE_TENANT_ID / AZURE_CLIENT_ID / AZURE_CLIENT_SECRET environment variables, then the Defender
XDR advanced hunting API on its production URL."""

import base64
import json

import requests
from azure.identity import DefaultAzureCredential

credential = DefaultAzureCredential()
token = credential.get_token("https://api.security.microsoft.com/.default")

response = requests.post(
    "https://api.security.microsoft.com/api/advancedhunting/run",
    headers={"Authorization": f"Bearer {token.token}"},
    json={"Query": "DeviceProcessEvents | take 3 | project Timestamp, DeviceName, FileName"},
    timeout=60,
)
response.raise_for_status()
body = response.json()

payload = token.token.split(".")[1]
claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
print(
    json.dumps(
        {
            "iss": claims["iss"],
            "aud": claims["aud"],
            "schema": [column["Name"] for column in body["Schema"]],
            "rows": len(body["Results"]),
        }
    )
)
