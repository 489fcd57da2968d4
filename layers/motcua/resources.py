"""The platform's AWS resources as data: the local stack creates them, the CDK app declares them."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class IndexSpec:
    name: str
    partition_key: str
    sort_key: str


@dataclass(frozen=True, slots=True)
class TableSpec:
    partition_key: str = "PK"
    sort_key: str = "SK"
    ttl_attribute: str = "expires_at"
    indexes: tuple[IndexSpec, ...] = ()
    # The table's stream carries every item's image after and before a change: the notification pipe
    # reads the new one, the statistics take the difference of the two.
    stream_view: str = "NEW_AND_OLD_IMAGES"


# One table; docs/data-model.md lists the access patterns each key and index serves.
TABLE = TableSpec(
    indexes=(
        # a citizen's dossiers (OWNER#), an agency's access log (ACCESS#)
        IndexSpec(name="GSI1", partition_key="GSI1PK", sort_key="GSI1SK"),
        IndexSpec(name="GSI2", partition_key="GSI2PK", sort_key="GSI2SK"),  # an agency's open tasks
        # deadlines: dossiers whose appointment can still be missed, and escalated open tasks
        IndexSpec(name="GSI3", partition_key="GSI3PK", sort_key="GSI3SK"),
        # the dossiers behind a number of the statistics: finished per agency and month, open per agency
        IndexSpec(name="GSI4", partition_key="GSI4PK", sort_key="GSI4SK"),
    ),
)


@dataclass(frozen=True, slots=True)
class UserPoolSpec:
    """A Cognito user pool: who signs up, which custom attributes tokens carry, which groups exist."""

    key: str
    self_sign_up: bool
    custom_attributes: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    username_attributes: tuple[str, ...] = ()
    auto_verified: tuple[str, ...] = ()
    mfa_required: bool = False
    # Where a forgotten password's code goes, in order (Cognito's account recovery mechanisms).
    recovery: tuple[str, ...] = ("verified_email",)
    # What a signed-in person may change about themselves through the portal's app client: never
    # the custom attributes (an admin sets agency and role), and for staff never `name`, which goes on
    # the results they sign. Never empty: Cognito lets a client with no list write every standard one.
    self_writable: tuple[str, ...] = ("email", "phone_number")

    @property
    def token_attributes(self) -> tuple[str, ...]:
        """What the app client may read, and so what the ID token carries (whether the email and the
        phone were verified too: only verified ones are written to)."""
        return ("name", "email", "email_verified", "phone_number", "phone_number_verified") + tuple(
            f"custom:{name}" for name in self.custom_attributes
        )


CITIZEN_POOL = UserPoolSpec(
    key="citizens",
    self_sign_up=True,
    # Citizens sign up and in with an email or a mobile number (E.164), whichever they have.
    username_attributes=("email", "phone_number"),
    auto_verified=("email", "phone_number"),
    recovery=("verified_email", "verified_phone_number"),
    self_writable=("name", "email", "phone_number"),
)
STAFF_POOL = UserPoolSpec(
    key="staff",
    self_sign_up=False,
    custom_attributes=("agency_code", "role"),
    groups=("receiver", "officer", "leader", "admin"),
    mfa_required=True,
    # A staff member's name is the staff directory's, kept by an admin (docs/operations.md, 5): it is
    # the signer's name on a signed result, its visible stamp and the audit trail.
    self_writable=("email", "phone_number"),
)
USER_POOLS = (CITIZEN_POOL, STAFF_POOL)


@dataclass(frozen=True, slots=True)
class BucketSpec:
    upload_prefix: str = "uploads/"
    # Filed papers: each checked upload copied at filing to filed/<owner>/<upload id>/<sha-256>, a key no
    # upload slot can write (services/uploads.py, filed_key; docs/security.md).
    filed_prefix: str = "filed/"
    # Signed results (<code>-KQ<n>.pdf): written by the API, read by the API and the notifier.
    result_prefix: str = "results/"
    # Every upload is tagged pending when posted and re-tagged filed when it becomes a dossier's
    # paper: uploads still pending after the province's `retention.abandoned_uploads_days` expire,
    # filed ones after `retention.papers_days` (infra/constructs/data.py).
    pending_tag: tuple[str, str] = ("motcua-state", "pending")
    filed_value: str = "filed"
    # An upload a draft holds is re-tagged draft when the draft is saved: it expires after the province's
    # drafts.keep_days + retention.abandoned_uploads_days, so never before the draft (docs/drafts.md).
    draft_value: str = "draft"
    cors_methods: tuple[str, ...] = ("POST", "GET")
    cors_headers: tuple[str, ...] = ("*",)
    cors_max_age: int = 3000
    extra: dict[str, str] = field(default_factory=dict)


BUCKET = BucketSpec()


@dataclass(frozen=True, slots=True)
class QueueSpec:
    """An SQS queue with its dead-letter queue: what fails `max_receives` times waits there."""

    key: str
    visibility_timeout: int = 60
    max_receives: int = 5
    dlq_retention_days: int = 14


# The flows' state machines tell routing what happened here (task tokens, ends of flows).
ROUTING_QUEUE = QueueSpec(key="routing")
# What the citizen must hear about, from the table's stream to the sender (email, SMS).
NOTIFY_QUEUE = QueueSpec(key="notify", visibility_timeout=60, max_receives=5)
STATS_QUEUE = QueueSpec(key="stats", visibility_timeout=60, max_receives=5)

# The single table's partitions (PK), by what they hold. Each function's role may write only in its
# own (dynamodb:LeadingKeys, infra/constructs/data.py; tests/infra say which function writes where).
DOSSIER_PREFIX = "D#"  # D#<code>: a dossier, its tasks, timeline and audit trail
COUNTER_PREFIX = "SEQ#"  # SEQ#<agency>#<YYMMDD>: an agency's dossier-code sequence of a day
IDEMPOTENCY_PREFIX = "IDEM#"  # IDEM#<owner>#<key>: a filing's Idempotency-Key
DRAFT_PREFIX = "DRAFT#"  # DRAFT#<owner>: a citizen's drafts, one per procedure (SK P#<procedure code>)
STATS_PREFIX = "STATS#"  # STATS#<agency or *>: the statistics' counters (docs/statistics.md)
PAYMENT_PREFIX = "PAY#"  # PAY#<order ref>: an order to pay a fee through the gateway (docs/payments.md)
RECONCILIATION_PREFIX = "RECON#"  # RECON#<day>: the daily reconciliation's report (docs/payments.md)
STATS_RECORD_PREFIX = "STATSREC#"  # STATSREC#<eventID>: a stream record the statistics applied
# The province's CA certificates (the trust roots of /v1/verify) and the agencies' certificates:
# written by the PKI function only, which alone holds the CA key (infra/constructs/signing.py).
PKI_PARTITION = "PKI"
# The partition of the notifier's once-only records (one per message sent): the notify function may
# delete there, and nowhere else, to release an attempt that failed.
NOTIFY_ONCE_PARTITION = "ONCE#notify"
# SENT#<owner>: the messages sent to a citizen (their notifications page), written by the notify function.
SENT_PREFIX = "SENT#"
# Q#<centre>#<YYYYMMDD>: a centre's queue tickets of a day, its counters' calls (docs/counter.md).
QUEUE_PREFIX = "Q#"
# Appointments (docs/counter.md): APPT#<centre>#<service>#<day> a day's places per slot, BOOKING#<code> a
# booking, BOOKED#<citizen>#<centre>#<service>#<day> one active booking a citizen, service and day.
APPOINTMENT_SLOTS_PREFIX = "APPT#"
BOOKING_PREFIX = "BOOKING#"
BOOKED_PREFIX = "BOOKED#"
# Feedback (docs/feedback.md): FB#<code> a feedback (F), its answer's note to the citizen (A); FB#PUBLIC#<id>
# a published question and answer. Its codes' day counters are SEQ#PAKN#<agency>#<YYMMDD>.
FEEDBACK_PREFIX = "FB#"
# Satisfaction ratings (docs/ratings.md): RATING#<code> a dossier's rating (once), RATINGS#<agency or *>
# the monthly tallies and the agency's anonymous comments.
RATING_PREFIX = "RATING#"
RATINGS_PREFIX = "RATINGS#"

# The audit entries the citizen is told about carry this attribute (the event's name): the
# repository writes it in the same transaction as the change (motcua.domain.events).
NOTIFY_ATTRIBUTE = "notify"
# The filter between the table's stream and the notification queue, as an EventBridge pattern: the
# CDK app gives it to the pipe, the local stack's stream reader applies the same pattern.
NOTIFY_PATTERN: dict[str, object] = {
    "eventName": ["INSERT"],
    "dynamodb": {"NewImage": {NOTIFY_ATTRIBUTE: {"S": [{"exists": True}]}}},
}

# The filter between the table's stream and the statistics queue: changes of dossier items, task items
# and the fee at filing's item (`FEE#filing`: paid online, docs/statistics.md), whatever the change (a
# removal takes its counts away).
STATS_PATTERN: dict[str, object] = {
    "dynamodb": {
        "Keys": {
            "PK": {"S": [{"prefix": DOSSIER_PREFIX}]},
            "SK": {"S": ["D", {"prefix": "T#"}, "FEE#filing"]},
        }
    },
}


@dataclass(frozen=True, slots=True)
class SigningSpec:
    """KMS keys that sign results (one per competent agency) and the province's certificates."""

    key_spec: str = "RSA_3072"
    key_usage: str = "SIGN_VERIFY"
    algorithm: str = "RSASSA_PKCS1_V1_5_SHA_256"
    # The key of the province's certification authority, next to the agencies' codes.
    ca: str = "CA"


SIGNING = SigningSpec()
