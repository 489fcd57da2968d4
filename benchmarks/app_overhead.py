"""App overhead: filing a dossier through the API ÷ the AWS calls it needs, made raw with boto3, on one moto.

N birth registrations (one PDF each) are filed through the Chalice app (chalice.test.Client: the token
checked, the body validated, the form checked against its schema, the answer shaped), while a botocore
hook keeps every call the app makes, with its parameters. The same calls are then made again, raw and
in the same order, against a copy of the table and the bucket taken before the filings, in the same
moto (decorator mode, one process): the same items written, the same conditions checked, the same
objects read and tagged. The transactions' ClientRequestToken is left out of the raw calls, so that
moto cannot answer them as retries of the app's. One run; the ratio of the medians is the figure
(a sum would carry the raw side's first call, which pays one-off costs).
Goal: <= 1.5. N can be set in the environment (30).
"""

from __future__ import annotations

import copy
import os
import statistics
import time
from typing import Any

from _moto_api import REGION, moto_api
from report import record

N = int(os.environ.get("N", "30"))


def _renamed(value: Any, names: dict[str, str]) -> Any:
    """`value` with every string that is a key of `names` replaced (the table's and the bucket's names)."""
    if isinstance(value, str):
        return names.get(value, value)
    if isinstance(value, dict):
        return {k: _renamed(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_renamed(v, names) for v in value]
    return value


def _copy_table(dynamodb: Any, source: str, target: str) -> None:
    table = dynamodb.describe_table(TableName=source)["Table"]
    indexes = [
        {"IndexName": i["IndexName"], "KeySchema": i["KeySchema"], "Projection": i["Projection"]}
        for i in table.get("GlobalSecondaryIndexes", [])
    ]
    dynamodb.create_table(
        TableName=target,
        KeySchema=table["KeySchema"],
        AttributeDefinitions=table["AttributeDefinitions"],
        BillingMode="PAY_PER_REQUEST",
        **({"GlobalSecondaryIndexes": indexes} if indexes else {}),
    )
    for page in dynamodb.get_paginator("scan").paginate(TableName=source):
        items = page["Items"]
        for start in range(0, len(items), 25):
            batch = [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]
            dynamodb.batch_write_item(RequestItems={target: batch})


def _copy_bucket(s3: Any, source: str, target: str) -> None:
    s3.create_bucket(Bucket=target, CreateBucketConfiguration={"LocationConstraint": REGION})
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=source):
        for item in page.get("Contents", []):
            s3.copy_object(
                Bucket=target,
                Key=item["Key"],
                CopySource={"Bucket": source, "Key": item["Key"]},
                MetadataDirective="COPY",
                TaggingDirective="COPY",
            )


def main() -> None:
    from motcua.adapters import clients

    with moto_api() as api:
        dynamodb, s3 = clients.client("dynamodb", REGION), clients.client("s3", REGION)
        uploads = [api.upload() for _ in range(N + 1)]
        # The first filing loads what a warm function already holds (the form's checker): not counted.
        api.ok(
            "POST", "/v1/dossiers", token=api.citizen, body=api.birth_filing(uploads[0]), key="bench-warm-000"
        )
        table, bucket = api.outputs.table_name, api.outputs.bucket_name
        names = {table: f"{table}-raw", bucket: f"{bucket}-raw"}
        _copy_table(dynamodb, table, names[table])
        _copy_bucket(s3, bucket, names[bucket])

        made: list[tuple[Any, str, dict[str, Any]]] = []

        def keep(params: dict[str, Any], model: Any, **_: Any) -> None:
            client = dynamodb if model.service_model.service_name == "dynamodb" else s3
            made.append((client, model.name, copy.deepcopy(params)))

        for client in (dynamodb, s3):
            client.meta.events.register("provide-client-params", keep)
        through_api: list[float] = []
        calls: list[list[tuple[Any, str, dict[str, Any]]]] = []
        for i, upload in enumerate(uploads[1:]):
            body = api.birth_filing(upload)
            started = time.perf_counter()
            api.ok("POST", "/v1/dossiers", token=api.citizen, body=body, key=f"bench-key-{i:04d}")
            through_api.append(time.perf_counter() - started)
            calls.append(made[:])
            made.clear()
        for client in (dynamodb, s3):
            client.meta.events.unregister("provide-client-params", keep)

        raw: list[float] = []
        for filing in calls:
            started = time.perf_counter()
            for client, operation, params in filing:
                params = _renamed(params, names)
                params.pop("ClientRequestToken", None)
                method = {v: k for k, v in client.meta.method_to_api_mapping.items()}[operation]
                response = getattr(client, method)(**params)
                if "Body" in response:
                    response["Body"].read()  # as the app reads what it fetched
            raw.append(time.perf_counter() - started)

    group = "app overhead (moto)"
    operations = sorted({f"{c.meta.service_model.service_name}:{op}" for c, op, _ in calls[0]})
    record(group, f"AWS calls per filing ({', '.join(operations)})", len(calls[0]), unit="calls")
    record(
        group,
        f"filing through the API, median of {N}",
        round(statistics.median(through_api) * 1000, 1),
        unit="ms",
    )
    record(
        group,
        f"the same calls raw with boto3, median of {N}",
        round(statistics.median(raw) * 1000, 1),
        unit="ms",
    )
    record(
        group,
        "filing through the API ÷ its raw boto3 calls (medians)",
        round(statistics.median(through_api) / statistics.median(raw), 2),
        goal="<= 1.5",
    )


if __name__ == "__main__":
    main()
