"""In-memory fakes of the ports for behaviour tests without moto, each checked by mypy against its port."""

from tests.fakes.clock import FrozenClock
from tests.fakes.directory import InMemoryStaffDirectory
from tests.fakes.identity import InMemoryIdentityProvider, InMemoryTokenVerifier
from tests.fakes.messaging import ActionInProgress, InMemoryOnceOnly, ProviderDown, RecordingMessenger
from tests.fakes.signing import InMemoryCertificateStore, MarkingSigner
from tests.fakes.storage import InMemoryAttachmentStore
from tests.fakes.workflow import InMemoryWorkflow, UnmodelledAnswer, Waiting

__all__ = [
    "ActionInProgress",
    "FrozenClock",
    "InMemoryAttachmentStore",
    "InMemoryCertificateStore",
    "InMemoryIdentityProvider",
    "InMemoryOnceOnly",
    "InMemoryStaffDirectory",
    "InMemoryTokenVerifier",
    "InMemoryWorkflow",
    "MarkingSigner",
    "ProviderDown",
    "RecordingMessenger",
    "UnmodelledAnswer",
    "Waiting",
]
