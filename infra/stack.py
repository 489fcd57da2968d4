"""The platform of one province in one stack: it builds the concerns and wires them, nothing else."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_cdk import CfnOutput, Stack

from infra import nag
from infra.constructs.api import STAGE, Api
from infra.constructs.data import Data
from infra.constructs.frontend import Frontend
from infra.constructs.identity import Identity
from infra.constructs.monitoring import Monitoring
from infra.constructs.notifications import Notifications
from infra.constructs.origin import ORIGIN_GENERATIONS_CONTEXT, OriginSecret, origin_generation
from infra.constructs.payments import PaymentGateway
from infra.constructs.ratings import RatingLinks
from infra.constructs.reconciliation import DailyReconciliation
from infra.constructs.recount import Recount
from infra.constructs.runtime import Runtime
from infra.constructs.schedules import Schedules
from infra.constructs.signing import GENERATIONS_CONTEXT, Signing, generations
from infra.constructs.statistics import Statistics
from infra.constructs.workflow import Workflow
from infra.routes import routes
from motcua.resources import (
    APPOINTMENT_SLOTS_PREFIX,
    BOOKED_PREFIX,
    BOOKING_PREFIX,
    BUCKET,
    CITIZEN_POOL,
    COUNTER_PREFIX,
    DOSSIER_PREFIX,
    DRAFT_PREFIX,
    FEEDBACK_PREFIX,
    IDEMPOTENCY_PREFIX,
    NOTIFY_ONCE_PARTITION,
    NOTIFY_PATTERN,
    NOTIFY_QUEUE,
    PKI_PARTITION,
    QUEUE_PREFIX,
    RATING_PREFIX,
    RATINGS_PREFIX,
    RECONCILIATION_PREFIX,
    ROUTING_QUEUE,
    SENT_PREFIX,
    SIGNING,
    STAFF_POOL,
    STATS_PATTERN,
    STATS_PREFIX,
    STATS_QUEUE,
    STATS_RECORD_PREFIX,
    TABLE,
    USER_POOLS,
)

if TYPE_CHECKING:
    from pathlib import Path

    from constructs import Construct

    from infra.provinces import ProvinceFile

# The table's partitions each function writes (dynamodb:LeadingKeys patterns); the rest are out of its
# reach. Filing takes a dossier code (the agency's counter) and remembers the Idempotency-Key.
WRITES: dict[str, tuple[str, ...]] = {
    "Api": (
        f"{DOSSIER_PREFIX}*",
        f"{COUNTER_PREFIX}*",
        f"{IDEMPOTENCY_PREFIX}*",
        f"{DRAFT_PREFIX}*",
        f"{QUEUE_PREFIX}*",
        # appointments: a slot's places, the bookings, the one-a-day guards (docs/counter.md)
        *(f"{APPOINTMENT_SLOTS_PREFIX}*", f"{BOOKING_PREFIX}*", f"{BOOKED_PREFIX}*"),
        f"{FEEDBACK_PREFIX}*",  # feedback, its answer and publication (docs/feedback.md)
        # a dossier's rating, and its tallies and comment (docs/ratings.md)
        *(f"{RATING_PREFIX}*", f"{RATINGS_PREFIX}*"),
    ),
    "Routing": (f"{DOSSIER_PREFIX}*",),
    # and the no-shows: the booking marked, its slot's count
    "Sweep": (f"{DOSSIER_PREFIX}*", f"{BOOKING_PREFIX}*", f"{APPOINTMENT_SLOTS_PREFIX}*"),
    "Notify": (NOTIFY_ONCE_PARTITION, f"{SENT_PREFIX}*"),  # what it sent, once; and under each citizen
    "Pki": (PKI_PARTITION,),
    "Stats": (f"{STATS_PREFIX}*", f"{STATS_RECORD_PREFIX}*"),  # the counters, and the stream records applied
    # the day's report, and the leaders' email once (docs/payments.md, "Reconciliation")
    "Reconcile": (f"{RECONCILIATION_PREFIX}*", NOTIFY_ONCE_PARTITION),
}


class PlatformStack(Stack):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        province: ProvinceFile,
        layer_zip: Path,
        frontend: Path,
        edge_web_acl_arn: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            scope, id, description=f"motcua one-stop platform: {province.province.name.en}", **kwargs
        )
        runtime = Runtime(
            self, "Runtime", layer_zip=layer_zip, province=province, metrics_namespace=f"motcua/{province.id}"
        )
        data = Data(
            self,
            "Data",
            table=TABLE,
            bucket=BUCKET,
            retention=province.province.retention,
            drafts=province.province.drafts,
        )
        identity = Identity(self, "Identity", pools=USER_POOLS)
        environment = {
            "MOTCUA_TABLE_NAME": data.table.table_name,
            "MOTCUA_BUCKET_NAME": data.attachments.bucket_name,
            "MOTCUA_CITIZEN_POOL_ID": identity.pools[CITIZEN_POOL.key].user_pool_id,
            "MOTCUA_CITIZEN_CLIENT_ID": identity.clients[CITIZEN_POOL.key].user_pool_client_id,
            "MOTCUA_STAFF_POOL_ID": identity.pools[STAFF_POOL.key].user_pool_id,
            "MOTCUA_STAFF_CLIENT_ID": identity.clients[STAFF_POOL.key].user_pool_client_id,
        }

        workflow = Workflow(
            self,
            "Workflow",
            queue=ROUTING_QUEUE,
            procedures=province.province.procedures,
            runtime=runtime,
            environment=environment,
        )
        signing = Signing(
            self,
            "Signing",
            spec=SIGNING,
            province=province.province,
            runtime=runtime,
            environment=environment,
            generations=generations(self.node.try_get_context(GENERATIONS_CONTEXT), province.id),
        )
        # The header CloudFront adds to what it sends the API, and the API's web ACL requires.
        origin = OriginSecret(
            self,
            "Origin",
            generation=origin_generation(self.node.try_get_context(ORIGIN_GENERATIONS_CONTEXT), province.id),
        )
        # Fees paid online (docs/payments.md, "On AWS"): the gateway's secret, the IPN's sources.
        payments = (
            PaymentGateway(self, "Payments", settings=province.province.payments)
            if province.province.payments is not None
            else None
        )
        api = Api(
            self,
            "Api",
            runtime=runtime,
            environment={**environment, **workflow.environment(), **signing.environment()},
            routes=routes(),
            user_pools=identity.all_pools,
            limits=province.province.api,
            origin=origin,
            rules=payments.web_acl_rules if payments is not None else None,
        )
        if payments is not None:
            payments.grant(api.function)
        schedules = Schedules(self, "Schedules", runtime=runtime, environment=environment)
        notifications = Notifications(
            self,
            "Notifications",
            queue=NOTIFY_QUEUE,
            pattern=NOTIFY_PATTERN,
            data=data,
            sender_email=province.province.sender_email,
            runtime=runtime,
            environment=environment,
        )
        statistics = Statistics(
            self,
            "Statistics",
            queue=STATS_QUEUE,
            pattern=STATS_PATTERN,
            data=data,
            runtime=runtime,
            environment=environment,
        )
        # The counters rebuilt from an export of the table (docs/statistics.md, "The recount").
        recount = Recount(
            self, "Recount", data=data, statistics=statistics, runtime=runtime, environment=environment
        )
        site = Frontend(
            self,
            "Frontend",
            source=frontend,
            api=api.rest_api,
            api_stage=STAGE,
            log_bucket=data.access_logs,
            attachments=data.attachments,
            origin=origin,
            web_acl_arn=edge_web_acl_arn,
        )
        # A new origin secret is accepted by the web ACL before CloudFront starts sending it.
        site.distribution.node.add_dependency(api.web_acl)

        # The daily reconciliation, when the province file says where the gateway's file lands.
        settled = province.province.payments
        reconciliation = (
            DailyReconciliation(
                self,
                "Reconciliation",
                runtime=runtime,
                environment=environment,
                file_pattern=settled.reconciliation,
                sender=notifications.sender,
            )
            if settled is not None and settled.reconciliation
            else None
        )
        functions = {
            "Api": api.function,
            "Routing": workflow.function,
            "Sweep": schedules.sweep,
            "Notify": notifications.function,
            "Pki": signing.function,
            "Stats": statistics.function,
        }
        if reconciliation is not None:
            functions["Reconcile"] = reconciliation.function
            # The orders the gateway's list names, read together; the leaders' email once.
            data.grant_order_reads(reconciliation.function)
            data.grant_deletes_in(reconciliation.function, NOTIFY_ONCE_PARTITION)
        for name, function in functions.items():
            data.grant_reads(function)
            data.grant_writes_in(function, partitions=WRITES[name])
            # Tracking links and the receipts' addresses point at the portal this stage serves.
            function.add_environment("MOTCUA_PORTAL_URL", site.url)
        data.grant_attachments(api.function)
        data.grant_counter_reads(api.function)  # the statistics' reports
        data.allow_uploads_from(site.url)
        workflow.grant_flows(api.function)
        # A task is forwarded only to a colleague the staff pool knows (agency, role, enabled).
        identity.grant_staff_directory(api.function)
        # The API signs results and keeps them; the notifier attaches them to the citizen's email.
        signing.grant_signing(api.function)
        data.grant_results(api.function, write=True)
        data.grant_results(notifications.function, write=False)
        data.grant_deletes_in(notifications.function, NOTIFY_ONCE_PARTITION)
        # A citizen deletes a draft, and filing removes the procedure's draft in its transaction;
        # a called queue ticket leaves its centre's waiting line (docs/counter.md).
        data.grant_deletes_in(api.function, f"{DRAFT_PREFIX}*", f"{QUEUE_PREFIX}*")
        # The final message carries a signed rating link; the API checks it (docs/ratings.md).
        rating_links = RatingLinks(self, "RatingLinks")
        for function in (api.function, notifications.function):
            for name, value in rating_links.environment().items():
                function.add_environment(name, value)
        rating_links.grant_links(api.function, notifications.function)

        monitoring = Monitoring(
            self,
            "Monitoring",
            namespace=runtime.metrics_namespace,
            api_service=runtime.service_name("api"),
            rest_api=api.rest_api,
            functions={**functions, "Recount": recount.function},
            dead_letter_queues={
                "Routing": workflow.dead_letter_queue,
                "Sweep": schedules.dead_letter_queue,
                "Notify": notifications.dead_letter_queue,
                "Stats": statistics.dead_letter_queue,
                **({"Reconcile": reconciliation.dead_letter_queue} if reconciliation is not None else {}),
            },
            state_machines={**workflow.state_machines, "recount": recount.state_machine},
            pipes={"Notify": notifications.pipe_name, "Stats": statistics.pipe_name},
        )

        CfnOutput(self, "PortalUrl", value=site.url, description="The portal; the API is under /v1")
        CfnOutput(
            self, "OperationsTopic", value=monitoring.topic.topic_arn, description="Subscribe on-call here"
        )
        CfnOutput(
            self,
            "RecountStateMachine",
            value=recount.state_machine.state_machine_arn,
            description="Start an execution to rebuild the statistics' counters (docs/statistics.md)",
        )
        CfnOutput(
            self, "StaffPoolId", value=environment["MOTCUA_STAFF_POOL_ID"], description="Create officers here"
        )

        nag.acknowledge(
            self,
            payments=payments,
            data=data,
            identity=identity,
            api=api,
            workflow=workflow,
            schedules=schedules,
            notifications=notifications,
            statistics=statistics,
            recount=recount,
            signing=signing,
            frontend=site,
            origin=origin,
            reconciliation=reconciliation,
        )
