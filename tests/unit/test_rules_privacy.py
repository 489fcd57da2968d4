"""Personal data rules on the fakes: what the access log records, and the export's bounds."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from typing import TYPE_CHECKING

from motcua.domain.roles import Role

if TYPE_CHECKING:
    from tests.fakes.world import World

SINGLE = "1.000058"  # a declaration the social insurance decides alone
SOCIAL_INSURANCE = "000.00.22.H99"


def test_staff_openings_are_recorded_with_the_access_log_retention_and_the_platforms_own_work_is_not(
    world: World,
) -> None:
    an = world.citizen()
    code = world.file(an, SINGLE).code
    receiver = world.staff(SOCIAL_INSURANCE, Role.RECEIVER)

    world.container.dossiers.get(an, code)  # the owner
    world.container.inbox.open(receiver, f"{code}-T1")
    world.decide(receiver, f"{code}-T1", "accept")  # deciding is not opening
    world.deliver()  # the notifier reads the dossier: no person behind it

    [(entry, expires_at)] = world.access_log.entries
    assert (entry.username, entry.what, entry.detail) == (receiver.username, "task", f"{code}-T1")
    assert expires_at - entry.at == timedelta(days=world.province.retention.access_log_days)


def test_the_export_leaves_out_files_beyond_its_cap_and_lists_them_with_a_link(world: World) -> None:
    an = world.citizen()
    code = world.file(an, SINGLE).code
    export = world.container.export
    export.max_file_bytes = 10  # smaller than any paper

    content, filename = export.export(an)

    archive = zipfile.ZipFile(io.BytesIO(content))
    assert archive.namelist() == ["du-lieu-cua-toi.json"]
    data = json.loads(archive.read("du-lieu-cua-toi.json"))
    [left_out] = data["files_not_included"]
    assert left_out["dossier"] == code and left_out["url"]
    assert data["dossiers"][0]["files"] == []
    assert filename.endswith(".zip")
