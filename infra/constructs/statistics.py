"""Statistics: the counters follow the table's stream (docs/statistics.md).

An EventBridge pipe keeps the stream's records of dossier and task items (STATS_PATTERN, the filter
the local stack applies too) and puts each, as the stream wrote it, on the stats queue. The stats
function reads the queue in batches and applies each record once: one TransactWriteItems holds the
record's marker (STATSREC#<eventID>, written only if absent, expiring after a few days) and the ADDs to
the counter items (STATS#<agency or *>). It may write those two partitions and no other; it reads
nothing. A record that fails `max_receives` times waits in the dead-letter queue, and a redrive applies
it then without counting anything twice.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from aws_cdk import Aws, Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_pipes as pipes
from constructs import Construct

from infra.constructs.queues import consumer_timeout, queue_with_dead_letters

if TYPE_CHECKING:
    from collections.abc import Mapping

    from aws_cdk import aws_lambda as lambda_

    from infra.constructs.data import Data
    from infra.constructs.runtime import Runtime
    from motcua.resources import QueueSpec

BATCH_SIZE = 10
# Leaders look at months, not seconds: a few seconds' wait fills a batch.
BATCHING_WINDOW = Duration.seconds(5)


class Statistics(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        queue: QueueSpec,
        pattern: Mapping[str, object],
        data: Data,
        runtime: Runtime,
        environment: Mapping[str, str],
    ) -> None:
        super().__init__(scope, id)
        self.queue, self.dead_letter_queue = queue_with_dead_letters(self, "Stats", queue)

        self.pipe_role = iam.Role(
            self,
            "PipeRole",
            assumed_by=iam.ServicePrincipal(
                "pipes.amazonaws.com", conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}}
            ),
            description="motcua statistics pipe: the table's stream to the stats queue",
        )
        stream = data.table.table_stream_arn
        if stream is None:
            raise ValueError("the dossiers table has no stream for the statistics pipe to read")
        data.grant_stream_read(self.pipe_role)
        self.queue.grant_send_messages(self.pipe_role)
        self.pipe = pipes.CfnPipe(
            self,
            "Pipe",
            description="Changes of dossiers and tasks for the statistics: table stream -> stats queue",
            role_arn=self.pipe_role.role_arn,
            source=stream,
            source_parameters=pipes.CfnPipe.PipeSourceParametersProperty(
                dynamo_db_stream_parameters=pipes.CfnPipe.PipeSourceDynamoDBStreamParametersProperty(
                    # From the oldest record the stream holds: what is replayed was applied already
                    # and its marker says so.
                    starting_position="TRIM_HORIZON",
                    batch_size=BATCH_SIZE,
                ),
                filter_criteria=pipes.CfnPipe.FilterCriteriaProperty(
                    filters=[pipes.CfnPipe.FilterProperty(pattern=json.dumps(dict(pattern)))]
                ),
            ),
            target=self.queue.queue_arn,
        )
        self.pipe.node.add_dependency(self.pipe_role)

        self.function: lambda_.Function = runtime.function(
            self,
            "Stats",
            name="stats",
            description="motcua statistics: the counters, from the table's stream, once per change",
            environment=environment,
            timeout=consumer_timeout(queue),
        )
        # The recount pauses it while it rebuilds the counters (constructs/recount.py).
        self.event_source = sources.SqsEventSource(
            self.queue,
            batch_size=BATCH_SIZE,
            max_batching_window=BATCHING_WINDOW,
            report_batch_item_failures=True,
        )
        self.function.add_event_source(self.event_source)

    @property
    def pipe_name(self) -> str:
        return self.pipe.ref
