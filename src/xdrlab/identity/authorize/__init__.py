"""The authorization endpoint (v1 `/{tenant}/oauth2/authorize`, v2 `/{tenant}/oauth2/v2.0/authorize`):
request checks, redirect-URI matching, sign-in, consent and the answer to the client."""
