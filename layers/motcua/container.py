"""The composition root: settings, province, clients, adapters and services, built once per container."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

from motcua.adapters import clients
from motcua.adapters.clock import SystemClock
from motcua.adapters.cognito import CognitoIdentityProvider, CognitoTokenVerifier, PoolRef
from motcua.adapters.dynamodb import DynamoDossierRepository
from motcua.adapters.s3 import S3AttachmentStore
from motcua.config.province import Province, load_province
from motcua.config.settings import Settings, get_settings
from motcua.domain.models import PrincipalKind
from motcua.domain.ports import Clock
from motcua.services.catalog import CatalogService
from motcua.services.dossiers import DossierService
from motcua.services.filing import FilingService
from motcua.services.tasks import TaskService
from motcua.services.uploads import UploadService
from motcua.services.views import Renderer


@dataclass(frozen=True)
class Container:
    settings: Settings
    province: Province
    clock: Clock
    repository: DynamoDossierRepository
    store: S3AttachmentStore
    verifier: CognitoTokenVerifier
    citizens: CognitoIdentityProvider
    staff: CognitoIdentityProvider
    renderer: Renderer
    catalog: CatalogService
    uploads: UploadService
    filing: FilingService
    dossiers: DossierService
    tasks: TaskService


def build_container(settings: Settings | None = None, *, clock: Clock | None = None) -> Container:
    settings = settings or get_settings()
    province = load_province(settings.province_file)
    clock = clock or SystemClock()
    dynamodb = clients.client("dynamodb", settings.region)
    s3 = clients.client("s3", settings.region)
    cognito = clients.client("cognito-idp", settings.region)
    repository = DynamoDossierRepository(dynamodb, settings.table_name)
    store = S3AttachmentStore(s3, settings.bucket_name)
    renderer = Renderer(province, settings.portal_url or province.portal_url)
    uploads = UploadService(store, province.uploads)
    dossiers = DossierService(repository=repository, store=store, renderer=renderer, uploads=province.uploads)
    return Container(
        settings=settings,
        province=province,
        clock=clock,
        repository=repository,
        store=store,
        verifier=CognitoTokenVerifier(
            [
                PoolRef(PrincipalKind.CITIZEN, settings.citizen_pool_id, settings.citizen_client_id),
                PoolRef(PrincipalKind.STAFF, settings.staff_pool_id, settings.staff_client_id),
            ],
            region=settings.region,
            endpoint_url=os.environ.get("AWS_ENDPOINT_URL"),
        ),
        citizens=CognitoIdentityProvider(
            cognito, pool_id=settings.citizen_pool_id, client_id=settings.citizen_client_id
        ),
        staff=CognitoIdentityProvider(
            cognito, pool_id=settings.staff_pool_id, client_id=settings.staff_client_id
        ),
        renderer=renderer,
        catalog=CatalogService(province),
        uploads=uploads,
        filing=FilingService(province=province, repository=repository, uploads=uploads, clock=clock),
        dossiers=dossiers,
        tasks=TaskService(
            province=province, repository=repository, dossiers=dossiers, uploads=uploads, clock=clock
        ),
    )


@lru_cache(maxsize=1)
def get_container() -> Container:
    return build_container()
