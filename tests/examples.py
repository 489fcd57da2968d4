"""Test data shared by every kind of test: files, a password, and filled-in forms per demo procedure."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pillow_heif
import requests
from PIL import Image

PASSWORD = "Matkhau@2026!"  # meets both pools' policy


def pdf_of(*objects: bytes, root: int = 1) -> bytes:
    """A PDF of these objects (numbered from 1) with a true cross-reference table, as small as it comes."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d /Root %d 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, root, xref)
    return bytes(out)


# One blank A4 page.
PDF = pdf_of(
    b"<</Type /Catalog /Pages 2 0 R>>",
    b"<</Type /Pages /Kids [3 0 R] /Count 1>>",
    b"<</Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]>>",
)
# A whole PNG and a whole JPEG of one grey pixel, as small as they come.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010800000000"
    "3a7e9b550000000a49444154789c636800000082008177cd72b60000000049454e44ae426082"
)
JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb00430050373c463c32504641465a55505f78c882786e6e78f5afb991c8"
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffc0000b08000100010101"
    "1100ffc40014000100000000000000000000000000000000ffc40014100100000000000000000000000000000000ffda0008"
    "010100003f003fffd9"
)


def post_to_slot(url: str, fields: dict[str, str], filename: str, content: bytes) -> None:
    """Upload a file with a presigned POST, as the browser does: the slot's fields, then the file."""
    stored = requests.post(url, data=fields, files={"file": (filename, content)}, timeout=10)
    assert stored.status_code in (200, 201, 204), stored.text


# One filled-in application form per procedure, as a citizen would send it.


def ahead(days: int) -> str:
    """A day `days` after today: a date field with `x-when: future` (the API refuses a day before
    today), ahead of the fake clocks' 17 November 2026 and of the machine's day alike."""
    return (max(date.today(), date(2026, 11, 17)) + timedelta(days=days)).isoformat()


def fitted(schema: dict[str, Any], form: dict[str, Any], today: date) -> dict[str, Any]:
    """`form` with each date on the wrong side of `today` for its `x-when` moved to a week before or a
    month after it (the demo's history files dossiers on days months back); the rest as it is."""
    moved = dict(form)
    for name, field in (schema.get("properties") or {}).items():
        value, when = moved.get(name), field.get("x-when")
        if not isinstance(value, str) or when not in ("past", "future"):
            continue
        day = date.fromisoformat(value)
        if when == "past" and day > today:
            moved[name] = (today - timedelta(days=7)).isoformat()
        elif when == "future" and day < today:
            moved[name] = (today + timedelta(days=30)).isoformat()
    return moved


# The past dates are before the fake clocks' day (17 November 2026): `x-when: past` fields.
EXAMPLES: dict[str, dict[str, Any]] = {
    "2.001610": {  # business registration
        "enterprise_name": "Doanh nghiệp tư nhân Thương mại Hoa Sen",
        "head_office_address": "Số 45 đường Lê Lợi, phường Minh Họa, tỉnh Minh Họa",
        "business_lines": ["4711", "5610"],
        "investment_capital_vnd": 500_000_000,
        "vat_method": "Khấu trừ",
    },
    "1.013978": {  # land use right certificate
        "map_sheet_number": 12,
        "parcel_number": 345,
        "area_m2": 215.4,
        "parcel_address": "Thôn Đồng Tâm, xã Tân Lập, tỉnh Minh Họa",
        "land_use_purpose": "Đất ở tại nông thôn",
        "land_origin": "Nhận thừa kế",
        "used_since": "1998-05-20",
        "has_attached_assets": True,
    },
    "1.013225": {  # construction permit for a house
        "site_address": "Số 18 ngõ 4 đường Nguyễn Trãi, phường Bình An, tỉnh Minh Họa",
        "land_certificate_number": "CS 123456",
        "footprint_area_m2": 80.5,
        "gross_floor_area_m2": 241.5,
        "floors": 3,
        "height_m": 11.7,
        "has_basement": False,
        "planned_start": ahead(60),
    },
    "3.000347": {  # driving licence renewal
        "licence_number": "790123456789",
        "licence_class": "B",
        "expiry_date": "2026-05-31",
        "reason": "Sắp hết hạn",
        "delivery_address": "Số 7 đường Trần Phú, phường Minh Họa, tỉnh Minh Họa",
    },
    "1.014199": {  # work permit for a foreign worker
        "worker_full_name": "Tanaka Hiroshi",
        "nationality": "JPN",
        "passport_number": "TK1234567",
        "date_of_birth": "1985-09-14",
        "job_position": "Chuyên gia",
        "work_location": "Khu công nghiệp Tân Lập, xã Tân Lập, tỉnh Minh Họa",
        "start_date": ahead(30),
        "end_date": "2027-12-31",
    },
    "2.002151": {  # permit for a foreign delegation
        "delegation_name": "Đoàn doanh nghiệp tỉnh Gyeonggi (Hàn Quốc)",
        "countries": ["KOR"],
        "member_count": 8,
        "head_of_delegation": "Kim Min-jun, Phó Chủ tịch Hiệp hội doanh nghiệp",
        "arrival_date": ahead(40),
        "departure_date": ahead(42),
        "purpose": "Khảo sát môi trường đầu tư, làm việc với các khu công nghiệp của tỉnh.",
        "result_email": "doingoai@congty.example.vn",
    },
    "1.000058": {  # social insurance declaration for a company
        "employer_si_code": "TA1234A",
        "declaration_type": "Báo tăng lao động",
        "period": "2026-02",
        "employee_count": 12,
        "salary_fund_vnd": 186_000_000,
    },
    "1.001193": {  # birth registration
        "child_full_name": "Nguyễn Minh An",
        "child_sex": "Nữ",
        "child_date_of_birth": "2026-01-20",
        "place_of_birth": "Bệnh viện Đa khoa tỉnh Minh Họa",
        "ethnicity": "Kinh",
        "mother_full_name": "Trần Thị Lan",
        "father_full_name": "Nguyễn Văn Bình",
        "requester_relationship": "Mẹ",
    },
    "3.000333": {  # judicial record certificate
        "certificate_type": "Phiếu số 1",
        "purpose": "Bổ sung hồ sơ xin việc",
        "copies": 2,
        "place_of_birth": "Xã Tân Lập, tỉnh Minh Họa",
        "residence_history": [
            {
                "from_year": 2008,
                "to_year": 2016,
                "address": "Thôn Đồng Tâm, xã Tân Lập, tỉnh Minh Họa",
            },
            {"from_year": 2016, "address": "Số 25 đường Trần Phú, phường Minh Họa, tỉnh Minh Họa"},
        ],
    },
    "1.000894": {  # marriage registration
        "husband_full_name": "Phạm Quốc Huy",
        "husband_id_number": "001096012345",
        "wife_full_name": "Đỗ Thị Mai",
        "wife_id_number": "001198067890",
        "marriage_date_wish": ahead(12),
    },
    "1.000656": {  # death registration
        "deceased_full_name": "Trần Văn Sáu",
        "deceased_id_number": "001042003456",
        "date_of_death": "2026-11-08",
        "place_of_death": "Bệnh viện Đa khoa tỉnh Minh Họa",
        "requester_relationship": "Con",
    },
}


def filing_body(
    province: Any, procedure_code: str, applicant_name: str, email: str | None, upload: Callable[[str], str]
) -> dict[str, Any]:
    """A complete, valid filing: `upload(content_type)` gives an upload id for every required paper
    (a PDF where the paper takes one, else a PNG)."""
    procedure = province.procedures_by_code[procedure_code]
    attachments = [
        {
            "upload_id": upload(
                "application/pdf" if "application/pdf" in paper.content_types else "image/png"
            ),
            "paper_code": paper.code,
        }
        for paper in procedure.papers
        if paper.required
    ]
    return {
        "procedure_code": procedure_code,
        "applicant": {
            "full_name": applicant_name,
            "id_number": "001090012345",
            "phone": "0901234567",
            "email": email,
            "address": "Số 1 đường Lê Lợi, phường Minh Họa",
        },
        "form": EXAMPLES[procedure_code],
        "attachments": attachments,
    }


def heic_of(
    width: int, height: int, colour: tuple[int, int, int] = (200, 40, 40), *, exif: bytes = b""
) -> bytes:
    """A whole HEIC photo of one colour, as an iPhone saves it (HEVC in a HEIF file), optionally with EXIF."""
    out = io.BytesIO()
    pillow_heif.from_pillow(Image.new("RGB", (width, height), colour)).save(
        out, quality=80, exif=exif or None
    )
    return out.getvalue()


# A small iPhone photo: 64 × 64, so that its coded size (`ispe`) is its size, with no crop box.
HEIC = heic_of(64, 64)
