"""The stage's us-east-1 part: the distribution's web ACL, which AWS keeps in that region only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_cdk import Stack

from infra.constructs.edge import EdgeWebAcl

if TYPE_CHECKING:
    from constructs import Construct

    from infra.provinces import ProvinceFile

# A CLOUDFRONT-scope web ACL can be created in us-east-1 only.
EDGE_REGION = "us-east-1"


class EdgeStack(Stack):
    def __init__(self, scope: Construct, id: str, *, province: ProvinceFile, **kwargs: Any) -> None:
        super().__init__(
            scope, id, description=f"motcua edge (CloudFront web ACL): {province.province.name.en}", **kwargs
        )
        # Nothing here for cdk-nag to flag: a web ACL of AWS's managed rules and a rate rule.
        self.acl = EdgeWebAcl(self, "Acl", limits=province.province.api)
