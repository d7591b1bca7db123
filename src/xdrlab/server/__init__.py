"""The server: state folder, TLS, ASGI assembly and the uvicorn runner."""
