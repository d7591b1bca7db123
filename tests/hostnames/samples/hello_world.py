"""Microsoft's Python "get an access token" sample for the Defender XDR API, followed by the
advanced hunting call and the incidents call of the Defender XDR API's "Hello World".

It makes the calls of Microsoft's documented samples ("Create an app to access Microsoft
Defender XDR without a user" → "Get an access token using Python", and the advanced hunting
API): Python's standard library only, a v1 token from `login.windows.net` with the `resource`
form field, then `api.security.microsoft.com`. The URLs are production's and are not changed;
the three values the documentation says to paste in are read from the environment.
"""

import base64
import json
import os
import urllib.parse
import urllib.request

tenantId = os.environ["TENANT_ID"]  # Paste your directory (tenant) ID here
clientId = os.environ["CLIENT_ID"]  # Paste your application (client) ID here
appSecret = os.environ["CLIENT_SECRET"]  # Paste your own app secret here

url = "https://login.windows.net/%s/oauth2/token" % (tenantId)  # noqa: UP031 - as the sample

resourceAppIdUri = "https://api.security.microsoft.com"

body = {
    "resource": resourceAppIdUri,
    "client_id": clientId,
    "client_secret": appSecret,
    "grant_type": "client_credentials",
}

data = urllib.parse.urlencode(body).encode("utf-8")

req = urllib.request.Request(url, data)
response = urllib.request.urlopen(req)
jsonResponse = json.loads(response.read())
aadToken = jsonResponse["access_token"]

query = "DeviceProcessEvents | where InitiatingProcessFileName =~ 'powershell.exe' | project Timestamp, FileName, InitiatingProcessFileName | order by Timestamp desc | limit 2"

url = "https://api.security.microsoft.com/api/advancedhunting/run"
headers = {
    "Content-Type": "application/json",
    "Accept": "application/json",
    "Authorization": "Bearer " + aadToken,
}

data = json.dumps({"Query": query}).encode("utf-8")

req = urllib.request.Request(url, data, headers)
response = urllib.request.urlopen(req)
jsonResponse = json.loads(response.read())
schema = jsonResponse["Schema"]
results = jsonResponse["Results"]

url = "https://api.security.microsoft.com/api/incidents"
req = urllib.request.Request(url, headers=headers)
response = urllib.request.urlopen(req)
incidents = json.loads(response.read())["value"]

# What the test checks (not part of the samples): the token's issuer and what came back.
payload = aadToken.split(".")[1]
claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
print(
    json.dumps(
        {
            "iss": claims["iss"],
            "aud": claims["aud"],
            "schema": [column["Name"] for column in schema],
            "rows": len(results),
            "incidents": len(incidents),
        }
    )
)
