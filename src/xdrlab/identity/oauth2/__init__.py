"""The OAuth 2.0 token service, organised by protocol: client authentication, grants, endpoint."""
