"""MSAL as its documentation shows it: a ConfidentialClientApplication with the default
authority `https://login.microsoftonline.com/{tenant}` (no instance_discovery setting), a token
for the Defender XDR API and one for Microsoft Graph, each used on its production host."""

import base64
import json
import os

import msal
import requests

tenant = os.environ["TENANT_ID"]
app = msal.ConfidentialClientApplication(
    os.environ["CLIENT_ID"],
    client_credential=os.environ["CLIENT_SECRET"],
    authority=f"https://login.microsoftonline.com/{tenant}",
)


def claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


defender = app.acquire_token_for_client(scopes=["https://api.security.microsoft.com/.default"])
incidents = requests.get(
    "https://api.security.microsoft.com/api/incidents?$top=2",
    headers={"Authorization": "Bearer " + defender["access_token"]},
    timeout=60,
)
incidents.raise_for_status()

graph = app.acquire_token_for_client(scopes=["https://graph.microsoft.com/.default"])
alerts = requests.get(
    "https://graph.microsoft.com/v1.0/security/alerts_v2?$top=2",
    headers={"Authorization": "Bearer " + graph["access_token"]},
    timeout=60,
)
alerts.raise_for_status()

print(
    json.dumps(
        {
            "defender_iss": claims(defender["access_token"])["iss"],
            "graph_iss": claims(graph["access_token"])["iss"],
            "graph_aud": claims(graph["access_token"])["aud"],
            "incidents": len(incidents.json()["value"]),
            "alerts": len(alerts.json()["value"]),
        }
    )
)
