"""The Python SDK: one client for xdrlab and the production endpoints."""
