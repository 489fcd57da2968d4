"""Inter-agency flows (quy trình liên thông): stages in order, each with one or more agency steps at once."""

from __future__ import annotations

import math

from pydantic import BaseModel, ConfigDict, Field

from motcua.domain.codes import AGENCY_CODE_PATTERN
from motcua.domain.i18n import Text
from motcua.domain.roles import Role

# The most calendar days a run of non-working days lasts in Vietnam (Tết with its weekends).
LONGEST_BREAK_DAYS = 10


class FlowStep(BaseModel):
    """One agency's part of a flow: who acts, in which role, within how many working days."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    agency: str = Field(pattern=AGENCY_CODE_PATTERN)
    role: Role = Role.OFFICER
    days: int = Field(ge=1, le=120, description="Working-day allowance of the step")
    name: Text | None = None  # what the step does: "Thẩm định hồ sơ", "Xác định nghĩa vụ tài chính"


class FlowStage(BaseModel):
    """Steps taken at the same time (several agencies in parallel) before the next stage starts."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    steps: tuple[FlowStep, ...]

    @property
    def days(self) -> int:
        return max((step.days for step in self.steps), default=0)


class Flow(BaseModel):
    """The agencies a procedure needs after the receiving agency accepts, stage by stage."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    stages: tuple[FlowStage, ...]

    @property
    def days(self) -> int:
        """Working days the stages take at most, one after another."""
        return sum(stage.days for stage in self.stages)

    def step(self, stage: int, step: int) -> FlowStep:
        """The step at 1-based (stage, step), as task ids and messages number them."""
        return self.stages[stage - 1].steps[step - 1]

    def agencies(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(step.agency for stage in self.stages for step in stage.steps))


def hard_timeout_seconds(working_days: int, *, seconds_per_day: float = 86_400) -> int:
    """How long Step Functions waits at most for a step of `working_days`: a backstop, never the deadline.

    Working days become calendar days with weekends (7/5) and the longest holiday break, plus a
    margin of two days; the scheduled sweep escalates on working days well before this fires.
    """
    calendar_days = math.ceil(working_days * 7 / 5) + LONGEST_BREAK_DAYS + 2
    return max(1, round(calendar_days * seconds_per_day))
