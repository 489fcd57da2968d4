"""Lambda entry point of the PKI function: the only holder of the CA key, it issues the certificates.

CloudFormation calls it (a custom resource) on every deploy that changes the keys or the agencies'
names, and the API calls it when an agency's certificate is missing or stale. Neither chooses what
is issued: that follows from the function's own keys and the province file.
"""

from __future__ import annotations

from typing import Any

from motcua.container import get_container
from motcua.observability import flush, logger

# The custom resource's id: one set of certificates per stage, updated in place.
PHYSICAL_ID = "motcua-certificates"


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        if event.get("RequestType") == "Delete":  # the certificates stay: issued results rely on them
            return {"PhysicalResourceId": event.get("PhysicalResourceId", PHYSICAL_ID)}
        issued = get_container().certificate_authority.issue()
        logger.info("certificates issued", extra={"issued": list(issued)})
        return {"PhysicalResourceId": PHYSICAL_ID, "Data": {"Issued": ",".join(issued)}, "issued": issued}
    finally:
        flush()
