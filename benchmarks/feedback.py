"""AWS calls per feedback operation through the API on moto: sending, the citizen's list, the agency's
list, one feedback read, answering, publishing, the public list. Recorded, never asserted.

Goals (docs/feedback.md): sending 2 (the counter's read, one transaction); each list 1 Query.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from _moto_api import PASSWORD, REGION, WARD, moto_api
from report import record

GROUP = "feedback: AWS calls"


class Calls:
    def __init__(self) -> None:
        self.current: Counter[str] = Counter()

    def __call__(self, model: Any, **_: Any) -> None:
        self.current[model.name] += 1

    def take(self) -> Counter[str]:
        taken, self.current = self.current, Counter()
        return taken


def shown(counted: Counter[str]) -> str:
    return ", ".join(f"{n} {op}" for op, n in sorted(counted.items())) or "none"


def main() -> None:
    from infra.devstack.provision import create_staff
    from motcua.adapters import clients

    with moto_api() as api:
        create_staff(
            clients.client("cognito-idp", REGION),
            pool_id=api.outputs.staff_pool_id,
            username="chuyenvien.phuong",
            password=PASSWORD,
            name="Chuyên viên phường",
            email="chuyenvien@example.vn",
            agency=WARD,
            role="officer",
        )
        officer = api.ok(
            "POST", "/v1/auth/staff/sign-in", body={"username": "chuyenvien.phuong", "password": PASSWORD}
        )["id_token"]
        calls = Calls()
        for service in ("dynamodb", "s3", "cognito-idp", "sns", "ses"):
            clients.client(service, REGION).meta.events.register("before-call", calls)

        def measure(
            figure: str, method: str, path: str, *, token: str | None, body: Any = None, goal: str = ""
        ) -> Any:
            calls.take()
            status, answer = api.call(method, path, token=token, body=body)
            if status >= 300:
                raise RuntimeError(f"{method} {path}: {status} {str(answer)[:300]}")
            counted = calls.take()
            record(GROUP, figure, sum(counted.values()), unit=f"calls ({shown(counted)})", goal=goal)
            return answer

        body = {"agency": WARD, "subject": "Thời gian chờ", "text": "Tôi chờ hơn một giờ tại quầy tiếp nhận."}
        sent = measure("sending a feedback", "POST", "/v1/feedback", token=api.citizen, body=body, goal="2")
        code = sent["code"]
        measure("my feedback", "GET", "/v1/me/feedback", token=api.citizen, goal="1")
        measure("the agency's open feedback", "GET", f"/v1/agencies/{WARD}/feedback", token=officer, goal="1")
        measure("one feedback (officer)", "GET", f"/v1/feedback/{code}", token=officer, goal="1")
        answer = {"text": "Phường đã bố trí thêm một quầy vào sáng thứ Hai."}
        measure("answering", "POST", f"/v1/feedback/{code}/answer", token=officer, body=answer)
        texts = {
            "subject": "Thời gian chờ",
            "question": "Chờ lâu tại quầy tiếp nhận.",
            "answer": answer["text"],
        }
        measure("publishing", "POST", f"/v1/feedback/{code}/publication", token=officer, body=texts)
        measure("the published answers (public)", "GET", "/v1/feedback/public", token=None, goal="1")


if __name__ == "__main__":
    main()
