"""OpenID Connect: discovery documents, JWKS and instance discovery."""
