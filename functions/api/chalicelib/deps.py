"""Where routes get their services: the container built once per Lambda container, or one a test injects."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from motcua.container import Container


def get_container() -> Container:
    """The services; built on first use (not at import), so importing the app needs no environment."""
    from motcua.container import get_container as current  # boto3 and friends load on first request

    return current()


def prime() -> None:
    """Build now what a first request would: under SnapStart the snapshot is taken after the init, so a
    restored environment starts with the container built and the forms' checker loaded."""
    get_container()
    import jsonschema  # noqa: F401 — loaded by a filing's form check otherwise


def set_container(container: Container | None) -> None:
    """Serve requests from `container` (tests); None goes back to the one built from the environment."""
    from motcua.container import use

    use(container)
