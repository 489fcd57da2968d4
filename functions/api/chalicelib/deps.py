"""Where routes get their services: the container built once per Lambda container, or one a test injects."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from motcua.container import Container

_override: Container | None = None


def get_container() -> Container:
    """The services; built on first use (not at import), so importing the app needs no environment."""
    if _override is not None:
        return _override
    from motcua.container import get_container as build  # boto3 and friends load on first request

    return build()


def set_container(container: Container | None) -> None:
    """Serve requests from `container` (tests); None goes back to the one built from the environment."""
    global _override
    _override = container
