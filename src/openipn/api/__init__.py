"""OpenIPN REST API (FastAPI): build it with `create_app(services)`."""

from openipn.api.app import create_app

__all__ = ["create_app"]
