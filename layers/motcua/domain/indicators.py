"""The Decision 766/QĐ-TTg indicators that motcua's data can measure (docs/indicators.md).

Decision 766/QĐ-TTg (23 June 2022) approves the index by which the national portal scores every
ministry and province, in real time, on the service given to people and businesses: five groups of
indicators (công khai, minh bạch; tiến độ, kết quả giải quyết; số hoá hồ sơ; cung cấp dịch vụ trực
tuyến; mức độ hài lòng). Each indicator here has its definition, the decision's criterion beside it,
and its formula on motcua's statistics' counters (domain/statistics.py); those that need data motcua
does not hold yet say so and have no value. Pure: the API reads the counters and hands them here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from motcua.domain.i18n import Text
from motcua.domain.statistics import Figures

DECISION = "Quyết định 766/QĐ-TTg ngày 23/6/2022, Phụ lục"

# Counters of the period the indicators read beside `Figures` (summed over the period's months).
DIGITISED = "received.digitised"  # dossiers filed with their papers as files
ELECTRONIC = "resolved.electronic"  # dossiers resolved with a signed electronic result
EXTRA_COUNTERS = (DIGITISED, ELECTRONIC)
# The ratings' tallies of the period (docs/ratings.md), read beside the counters: how many answered the
# overall criterion (Đánh giá tổng thể dịch vụ, 1 … 5) and the sum of their scores.
RATED = "ratings.overall.count"
RATED_POINTS = "ratings.overall.total"
TOP_SCORE = 5


class Group(StrEnum):
    """The decision's five groups of indicators (nhóm chỉ số thành phần)."""

    TRANSPARENCY = "transparency"  # công khai, minh bạch
    PROGRESS = "progress"  # tiến độ, kết quả giải quyết
    DIGITISATION = "digitisation"  # số hoá hồ sơ
    ONLINE = "online"  # cung cấp dịch vụ trực tuyến
    SATISFACTION = "satisfaction"  # mức độ hài lòng


GROUP_NAMES: dict[Group, Text] = {
    Group.TRANSPARENCY: Text(vi="Công khai, minh bạch", en="Openness and transparency"),
    Group.PROGRESS: Text(vi="Tiến độ, kết quả giải quyết", en="Progress and results"),
    Group.DIGITISATION: Text(vi="Số hoá hồ sơ", en="Digitised dossiers"),
    Group.ONLINE: Text(vi="Cung cấp dịch vụ trực tuyến", en="Online services"),
    Group.SATISFACTION: Text(vi="Mức độ hài lòng", en="Satisfaction"),
}


@dataclass(frozen=True, slots=True)
class Definition:
    key: str
    group: Group
    name: Text
    clause: str  # the decision's criterion, as its appendix names it
    formula: Text  # on motcua's counters (or the decision's, for one not held)
    # The fraction's numerator and denominator from the period's figures and extra counters; None:
    # needs data motcua does not hold yet (`missing` says which).
    ratio: Callable[[Figures, Mapping[str, int]], tuple[int, int]] | None = None
    missing: Text | None = None

    @property
    def held(self) -> bool:
        return self.ratio is not None


@dataclass(frozen=True, slots=True)
class Indicator:
    """One indicator of a period: its definition and, when motcua holds the data, its fraction."""

    definition: Definition
    numerator: int | None
    denominator: int | None

    @property
    def value(self) -> float | None:
        """numerator / denominator, 0..1; None when not held or when the denominator is 0."""
        if self.numerator is None or not self.denominator:
            return None
        return self.numerator / self.denominator


def _on_time(f: Figures, extra: Mapping[str, int]) -> tuple[int, int]:
    return f.early + f.on_time, f.resolved


def _online_filing(f: Figures, extra: Mapping[str, int]) -> tuple[int, int]:
    return f.received_online, f.new


def _electronic_results(f: Figures, extra: Mapping[str, int]) -> tuple[int, int]:
    return extra.get(ELECTRONIC, 0), f.resolved


def _digitised(f: Figures, extra: Mapping[str, int]) -> tuple[int, int]:
    return extra.get(DIGITISED, 0), f.new


def _online_payment(f: Figures, extra: Mapping[str, int]) -> tuple[int, int]:
    return f.fees_online, f.fees_due


def _satisfaction(f: Figures, extra: Mapping[str, int]) -> tuple[int, int]:
    return extra.get(RATED_POINTS, 0), TOP_SCORE * extra.get(RATED, 0)


NO_FEEDBACK = Text(
    vi="Cần dữ liệu motcua chưa có: phản ánh, kiến nghị được tiếp nhận và trả lời trên motcua nhưng "
    "chưa có bộ đếm theo tháng số phản ánh đến hạn và số được trả lời đúng hạn.",
    en="Needs data motcua does not hold yet: feedback is received and answered on motcua, but no "
    "monthly count of feedback falling due and answered on time is kept.",
)
NO_FEEDBACK_RATINGS = Text(
    vi="Cần dữ liệu motcua chưa có: người gửi phản ánh, kiến nghị chưa đánh giá được câu trả lời.",
    en="Needs data motcua does not hold yet: the senders of feedback cannot rate the answers.",
)

DEFINITIONS: tuple[Definition, ...] = (
    Definition(
        key="procedures_published_on_time",
        group=Group.TRANSPARENCY,
        name=Text(vi="Tỷ lệ thủ tục hành chính công bố đúng hạn", en="Procedures published on time"),
        clause=f"{DECISION}, nhóm Công khai, minh bạch: tỷ lệ thủ tục hành chính công bố đúng hạn",
        formula=Text(
            vi="Số TTHC công bố đúng hạn / tổng số TTHC đã công bố trong kỳ",
            en="procedures published on time / procedures published in the period",
        ),
        missing=Text(
            vi="Cần dữ liệu motcua chưa có: quyết định công bố TTHC nằm ở Cơ sở dữ liệu quốc gia về TTHC.",
            en="Needs data motcua does not hold: the decisions publishing procedures are in the national "
            "procedures database.",
        ),
    ),
    Definition(
        key="dossiers_synced",
        group=Group.TRANSPARENCY,
        name=Text(
            vi="Tỷ lệ hồ sơ đồng bộ trạng thái lên Cổng Dịch vụ công quốc gia",
            en="Dossiers whose status is published on the national portal",
        ),
        clause=f"{DECISION}, nhóm Công khai, minh bạch: công khai tiến độ giải quyết hồ sơ",
        formula=Text(
            vi="Số hồ sơ đồng bộ trạng thái / tổng số hồ sơ tiếp nhận",
            en="dossiers synchronised / dossiers received",
        ),
        missing=Text(
            vi="Cần dữ liệu motcua chưa có: motcua chưa kết nối Cổng Dịch vụ công quốc gia.",
            en="Needs data motcua does not hold yet: motcua is not connected to the national portal.",
        ),
    ),
    Definition(
        key="on_time_rate",
        group=Group.PROGRESS,
        name=Text(vi="Tỷ lệ hồ sơ giải quyết trước hạn, đúng hạn", en="Dossiers resolved early or on time"),
        clause=f"{DECISION}, nhóm Tiến độ, kết quả giải quyết: tỷ lệ hồ sơ xử lý trước hạn, đúng hạn",
        formula=Text(
            vi="(trước hạn + đúng hạn) / đã giải quyết trong kỳ",
            en="(early + on time) / resolved in the period",
        ),
        ratio=_on_time,
    ),
    Definition(
        key="electronic_results",
        group=Group.DIGITISATION,
        name=Text(vi="Tỷ lệ cấp kết quả giải quyết điện tử", en="Results issued electronically"),
        clause=f"{DECISION}, nhóm Số hoá hồ sơ: tỷ lệ hồ sơ có kết quả giải quyết điện tử",
        formula=Text(
            vi="hồ sơ giải quyết có kết quả điện tử có chữ ký số / đã giải quyết trong kỳ",
            en="resolved with a signed electronic result / resolved in the period",
        ),
        ratio=_electronic_results,
    ),
    Definition(
        key="papers_digitised",
        group=Group.DIGITISATION,
        name=Text(vi="Tỷ lệ số hoá hồ sơ", en="Dossiers with their papers digitised"),
        clause=f"{DECISION}, nhóm Số hoá hồ sơ: tỷ lệ số hoá hồ sơ thủ tục hành chính",
        formula=Text(
            vi="hồ sơ mới tiếp nhận có thành phần hồ sơ là tệp điện tử / mới tiếp nhận trong kỳ",
            en="new dossiers whose papers are held as files / new dossiers in the period",
        ),
        ratio=_digitised,
    ),
    Definition(
        key="digitised_data_reused",
        group=Group.DIGITISATION,
        name=Text(
            vi="Tỷ lệ khai thác, sử dụng lại thông tin, dữ liệu số hoá",
            en="Digitised data reused instead of asked again",
        ),
        clause=f"{DECISION}, nhóm Số hoá hồ sơ: tỷ lệ khai thác, sử dụng lại thông tin, dữ liệu số hoá",
        formula=Text(
            vi="hồ sơ dùng lại giấy tờ, kết quả đã số hoá / hồ sơ tiếp nhận",
            en="dossiers reusing digitised papers or results / dossiers received",
        ),
        missing=Text(
            vi="Cần dữ liệu motcua chưa có: chưa có kho giấy tờ, kết quả điện tử dùng lại giữa các hồ sơ.",
            en="Needs data motcua does not hold yet: no store of papers and results reused across dossiers.",
        ),
    ),
    Definition(
        key="online_filing_rate",
        group=Group.ONLINE,
        name=Text(vi="Tỷ lệ hồ sơ trực tuyến", en="Dossiers filed online"),
        clause=f"{DECISION}, nhóm Cung cấp dịch vụ trực tuyến: tỷ lệ hồ sơ trực tuyến",
        formula=Text(
            vi="mới tiếp nhận trực tuyến / mới tiếp nhận (trực tuyến + trực tiếp + bưu chính)",
            en="new online / new (online + at the counter + by post)",
        ),
        ratio=_online_filing,
    ),
    Definition(
        key="online_payment_rate",
        group=Group.ONLINE,
        name=Text(vi="Tỷ lệ thanh toán trực tuyến", en="Fees paid online"),
        clause=f"{DECISION}, nhóm Cung cấp dịch vụ trực tuyến: tỷ lệ hồ sơ TTHC có yêu cầu nghĩa vụ tài chính"
        " được thanh toán trực tuyến",
        formula=Text(
            vi="hồ sơ mới tiếp nhận có yêu cầu nghĩa vụ tài chính (phí, lệ phí khi nộp hoặc nghĩa vụ tài"
            " chính khi giải quyết) được thanh toán trực tuyến"
            " / hồ sơ mới tiếp nhận có yêu cầu nghĩa vụ tài chính",
            en="new dossiers with a fee or financial obligation (a fee at filing or an obligation during"
            " processing) paid online / new dossiers with a fee or financial obligation",
        ),
        ratio=_online_payment,
    ),
    Definition(
        key="dossier_satisfaction",
        group=Group.SATISFACTION,
        name=Text(
            vi="Tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC",
            en="Satisfaction with receiving and resolving dossiers",
        ),
        clause=f"{DECISION}, nhóm Mức độ hài lòng: tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC",
        formula=Text(
            vi="tổng điểm tiêu chí «Đánh giá tổng thể dịch vụ» / (5 × số hồ sơ được đánh giá trong kỳ),"
            " tức điểm trung bình trên thang 5",
            en="points given to «the service as a whole» / (5 × dossiers rated in the period),"
            " i.e. the mean score out of 5",
        ),
        ratio=_satisfaction,
    ),
    Definition(
        key="feedback_on_time",
        group=Group.SATISFACTION,
        name=Text(vi="Tỷ lệ phản ánh, kiến nghị xử lý đúng hạn", en="Feedback answered on time"),
        clause=f"{DECISION}, nhóm Mức độ hài lòng: tỷ lệ phản ánh, kiến nghị xử lý đúng hạn",
        formula=Text(
            vi="phản ánh, kiến nghị xử lý đúng hoặc trước hạn / phản ánh, kiến nghị thuộc thẩm quyền",
            en="feedback answered early or on time / feedback the agency must answer",
        ),
        missing=NO_FEEDBACK,
    ),
    Definition(
        key="feedback_satisfaction",
        group=Group.SATISFACTION,
        name=Text(
            vi="Tỷ lệ hài lòng trong xử lý phản ánh, kiến nghị",
            en="Satisfaction with the answers to feedback",
        ),
        clause=f"{DECISION}, nhóm Mức độ hài lòng: tỷ lệ hài lòng trong xử lý phản ánh, kiến nghị",
        formula=Text(
            vi="(phản ánh, kiến nghị − số bị phản hồi không hài lòng hoặc xử lý quá hạn)"
            " / phản ánh, kiến nghị",
            en="(feedback − answers rated unsatisfying or late) / feedback",
        ),
        missing=NO_FEEDBACK_RATINGS,
    ),
)


def indicators(figures: Figures, extra: Mapping[str, int]) -> list[Indicator]:
    """Every indicator of the period, in the decision's order; `extra`: the period's EXTRA_COUNTERS,
    and RATED and RATED_POINTS from the ratings' tallies."""
    measured = []
    for definition in DEFINITIONS:
        if definition.ratio is None:
            measured.append(Indicator(definition, None, None))
        else:
            numerator, denominator = definition.ratio(figures, extra)
            measured.append(Indicator(definition, numerator, denominator))
    return measured
