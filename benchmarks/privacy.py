"""A citizen's export (GET /v1/me/export) on the fakes: time and archive size by number of dossiers.

Each dossier is a social insurance declaration with one 200 KB PDF paper (its list of workers); the
archive takes files up to the cap (4 MB) and lists the rest. Also the cost of the access log: the time
to open a task with and without its entry (the in-memory log: the service's own work; on AWS one
PutItem more). Printed, never asserted. N (default 20) sets the repetitions.
"""

from __future__ import annotations

import functools
import os
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parents[1]
for folder in ("layers", "functions/api", "functions", "."):
    sys.path.insert(0, str(ROOT / folder))

from benchmarks.report import record  # noqa: E402
from motcua.domain.roles import Role  # noqa: E402
from motcua.services.filing import FilingRequest  # noqa: E402
from tests.examples import EXAMPLES, pdf_of  # noqa: E402
from tests.fakes.world import World  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import Callable

    from motcua.domain.models import Principal

N = int(os.environ.get("N", "20"))
SINGLE, SOCIAL_INSURANCE = "1.000058", "000.00.22.H99"
_SCAN = os.urandom(200 * 1024)  # incompressible, like a scan
# A whole one-page PDF carrying it, as the upload checks want.
PAPER = pdf_of(
    b"<</Type /Catalog /Pages 2 0 R>>",
    b"<</Type /Pages /Kids [3 0 R] /Count 1>>",
    b"<</Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R>>",
    b"<</Length %d>>\nstream\n" % len(_SCAN) + _SCAN + b"\nendstream",
)


def median_ms(action: Callable[[], object]) -> float:
    action()  # warm
    times = []
    for _ in range(N):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def world_with(dossiers: int) -> tuple[World, Principal]:
    world = World(ROOT / "provinces" / "demo.yaml")
    an = world.citizen()
    for _ in range(dossiers):
        upload = world.upload(an, PAPER)
        body = {
            "procedure_code": SINGLE,
            "applicant": {
                "full_name": "Nguyễn Văn An",
                "id_number": "001090012345",
                "phone": "0901234567",
                "address": "Số 1 đường Lê Lợi, phường Minh Họa",
            },
            "form": EXAMPLES[SINGLE],
            "attachments": [{"upload_id": upload, "paper_code": "danh_sach_lao_dong_d02_lt"}],
        }
        world.container.filing.file(an, FilingRequest.model_validate(body), uuid.uuid4().hex)
    return world, an


def main() -> None:
    for dossiers in (1, 10, 50):
        world, an = world_with(dossiers)
        export = world.container.export
        content, _ = export.export(an)
        spent = median_ms(functools.partial(export.export, an))
        record("export", f"{dossiers} dossiers of one 200 KB paper: time", round(spent, 1), unit="ms")
        record(
            "export", f"{dossiers} dossiers: archive", round(len(content) / 1024), unit="KB", goal="<= 4.5 MB"
        )

    world, _ = world_with(1)
    code = next(iter(world.repository._dossiers))  # noqa: SLF001 — the one dossier filed
    officer = world.staff(SOCIAL_INSURANCE, Role.RECEIVER)
    inbox = world.container.inbox
    with_log = median_ms(lambda: inbox.open(officer, f"{code}-T1"))
    opened = world.container.dossiers.access.opened
    world.container.dossiers.access.opened = lambda *args, **kwargs: None  # type: ignore[method-assign]
    without = median_ms(lambda: inbox.open(officer, f"{code}-T1"))
    world.container.dossiers.access.opened = opened  # type: ignore[method-assign]
    record("access log", "open a task, with its entry", round(with_log, 3), unit="ms")
    record("access log", "open a task, without", round(without, 3), unit="ms")


if __name__ == "__main__":
    main()
