"""xdrlab: a self-hostable, API-compatible Microsoft Defender XDR API platform.

The package is laid out by subsystem; dependencies point one way:

    cli, sdk      -> reach the server over HTTP only (cli also drives the admin services)
    server        -> assembles the ASGI app from identity (and later api) routes
    api           -> Defender XDR and Graph security endpoints
    identity      -> directory, token service, discovery
    kql, engine   -> advanced hunting: KQL compiler and the engines that run it
    store         -> SQLAlchemy models and Alembic migrations for the control plane
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
