"""The demo's feedback (phản ánh, kiến nghị; docs/feedback.md): a few items from the first demo citizen.

At a start where that citizen has sent none yet, three go through the service as the portal sends them:
two to the first agency with a processing officer (one of them answered by that officer and published,
the other left open for the console's list), and one to a second agency, left open. The answer's email
and SMS reach the demo outbox through the stream, as any answer's would.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from motcua.domain.models import Principal, PrincipalKind
from motcua.domain.roles import Role
from motcua.services.feedback import AnswerRequest, FeedbackRequest, PublicationRequest

if TYPE_CHECKING:
    from motcua.container import Container

    from .accounts import DemoAccount


def seed_feedback(container: Container, accounts: list[DemoAccount], subs: dict[str, str]) -> list[str]:
    """Send (and answer, publish) the demo's feedback; the codes sent now (none when already there)."""
    citizen = next((a for a in accounts if a.pool == "citizens"), None)
    officers = [a for a in accounts if a.pool == "staff" and a.role == Role.OFFICER.value and a.agency]
    sub = subs.get(f"citizens/{citizen.username}") if citizen else None
    if citizen is None or sub is None or len(officers) < 2:
        return []
    who = Principal(
        sub=sub,
        kind=PrincipalKind.CITIZEN,
        username=citizen.username,
        name=citizen.name,
        email=citizen.email,
        email_verified=True,
        phone=citizen.phone,
        phone_verified=citizen.phone is not None,
    )
    service = container.feedback
    if service.mine(who):
        return []
    first = next((o for o in officers if o.username.startswith("chuyenvien.")), officers[0])
    second = next(o for o in officers if o.agency != first.agency)
    answered = service.send(
        who,
        FeedbackRequest(
            agency=first.agency,
            subject="Hướng dẫn thành phần hồ sơ chưa rõ",
            text="Tôi được hướng dẫn nộp bản sao điều lệ công ty có chứng thực, nhưng trên cổng lại ghi "
            "chỉ cần bản chụp. Đề nghị cơ quan cho biết yêu cầu nào đúng.",
        ),
    )
    waiting = service.send(
        who,
        FeedbackRequest(
            agency=first.agency,
            subject="Thời gian chờ tại quầy",
            text="Sáng thứ Hai tôi chờ hơn một giờ tại quầy tiếp nhận. "
            "Đề nghị bố trí thêm cán bộ vào đầu tuần.",
        ),
    )
    elsewhere = service.send(
        who,
        FeedbackRequest(
            agency=second.agency,
            subject="Đề nghị nhận kết quả qua bưu điện",
            text="Đề nghị cơ quan cho phép nhận kết quả qua dịch vụ bưu chính "
            "để người dân không phải đi lại.",
        ),
    )
    officer = Principal(
        sub=first.username,
        kind=PrincipalKind.STAFF,
        username=first.username,
        name=first.name,
        agency=first.agency,
        role=Role.OFFICER,
    )
    reply = (
        "Theo quy định hiện hành, hồ sơ nộp trực tuyến chỉ cần bản chụp từ bản chính; bản sao có chứng "
        "thực chỉ cần khi nộp giấy tại quầy. Cơ quan đã sửa lại hướng dẫn tại quầy. Trân trọng cảm ơn ông."
    )
    done = service.answer(officer, answered, AnswerRequest(text=reply))
    service.publish(
        officer,
        done,
        PublicationRequest(
            subject="Bản sao điều lệ khi nộp hồ sơ trực tuyến",
            question="Khi nộp hồ sơ đăng ký doanh nghiệp trực tuyến, điều lệ công ty cần bản sao có chứng "
            "thực hay chỉ cần bản chụp?",
            answer="Hồ sơ nộp trực tuyến chỉ cần bản chụp từ bản chính; bản sao có chứng thực chỉ cần khi "
            "nộp giấy tại quầy.",
        ),
    )
    return [answered.code, waiting.code, elsewhere.code]
