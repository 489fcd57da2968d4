"""Every file in provinces/ is a province, and so a stage of its own (`Motcua-<id>`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from motcua.config.province import Province, load_province

PROVINCES = Path(__file__).resolve().parents[1] / "provinces"


@dataclass(frozen=True)
class ProvinceFile:
    path: Path
    province: Province

    @property
    def id(self) -> str:
        return self.province.id

    @property
    def stage_name(self) -> str:
        return f"Motcua-{self.id}"


def discover(folder: Path = PROVINCES) -> dict[str, ProvinceFile]:
    """Each `<id>.yaml`, loaded and checked; the file's name and the id inside it must agree."""
    found: dict[str, ProvinceFile] = {}
    for path in sorted(folder.glob("*.yaml")):
        province = load_province(path)
        if province.id != path.stem:
            raise ValueError(f"{path.name} declares id {province.id!r}: name the file {province.id}.yaml")
        found[province.id] = ProvinceFile(path, province)
    return found


def select(wanted: list[str], folder: Path = PROVINCES) -> list[ProvinceFile]:
    """The provinces asked for (all of them when none is), failing on a name that has no file."""
    known = discover(folder)
    if not wanted:
        return list(known.values())
    unknown = [name for name in wanted if name not in known]
    if unknown:
        raise SystemExit(
            f"no province file for {', '.join(unknown)}; provinces/ holds {', '.join(sorted(known))}"
        )
    return [known[name] for name in wanted]
