"""The ASGI application for servers: ``uvicorn atrium.asgi:app``."""

from atrium.main import create_app

app = create_app()
