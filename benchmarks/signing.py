"""Signing a ~50 KB result PDF with a KMS key (moto, decorator mode): the time per signature, and how much
of it is KMS and the certificate read rather than pyHanko; verifying the result, for comparison.

Printed, never asserted. On AWS a KMS Sign of RSA-3072 takes tens of milliseconds more than moto's.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from report import record

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "layers"))

REGION = "ap-southeast-1"
os.environ.update(
    AWS_ACCESS_KEY_ID="bench",
    AWS_SECRET_ACCESS_KEY="bench",
    AWS_DEFAULT_REGION=REGION,
    AWS_REGION=REGION,
)
os.environ.pop("AWS_ENDPOINT_URL", None)

RUNS = int(os.environ.get("RUNS", "20"))
AGENCY = "000.00.01.H99"
TARGET_BYTES = 50_000


class Timed:
    """A boto3 client whose calls are timed, by operation."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.client, name)
        if not callable(method) or name.startswith("_") or name == "meta":
            return method

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start
                self.calls[name] = self.calls.get(name, 0) + 1

        return timed

    def reset(self) -> None:
        self.seconds.clear()
        self.calls.clear()


def result_pdf() -> bytes:
    """A result of about 50 KB: pages of text, compressed as fpdf2 does by default."""
    import random

    from fpdf import FPDF

    words = ["ket", "qua", "giai", "quyet", "thu", "tuc", "hanh", "chinh", "so", "tai", "tinh", "minh", "hoa"]
    for pages in range(1, 100):
        rng = random.Random(2026)
        pdf = FPDF()
        pdf.set_font("Helvetica", size=10)
        for _ in range(pages):
            pdf.add_page()
            for _ in range(40):
                pdf.cell(text=" ".join(rng.choice(words) for _ in range(14)), new_x="LMARGIN", new_y="NEXT")
        out = bytes(pdf.output())
        if len(out) >= TARGET_BYTES:
            return out
    raise RuntimeError("could not make a PDF that large")


def main() -> None:
    import boto3
    from moto import mock_aws

    from motcua.adapters.certificates import DynamoCertificateStore
    from motcua.signing.issuing import CertificateAuthority
    from motcua.signing.pki import CA, PkiProfile
    from motcua.signing.sign import DocumentSigner
    from motcua.signing.verify import verify_pdf

    with mock_aws():
        kms = Timed(boto3.client("kms", region_name=REGION))
        dynamodb = Timed(boto3.client("dynamodb", region_name=REGION))
        dynamodb.create_table(
            TableName="bench",
            KeySchema=[
                {"AttributeName": "PK", "KeyType": "HASH"},
                {"AttributeName": "SK", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "PK", "AttributeType": "S"},
                {"AttributeName": "SK", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        keys = {
            name: kms.create_key(KeySpec="RSA_3072", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
            for name in (CA, AGENCY)
        }
        profile = PkiProfile.from_settings(
            keys, province="Tỉnh Minh Họa", agency_names={AGENCY: "Sở Tài chính"}
        )
        store = DynamoCertificateStore(dynamodb, "bench")
        issuer = CertificateAuthority(kms_client=kms, store=store, profile=profile)  # the PKI function's part
        signer = DocumentSigner(kms_client=kms, store=store, profile=profile, issuer=issuer)
        start = time.perf_counter()
        signer.ensure_certificates()
        ensure_first = time.perf_counter() - start
        start = time.perf_counter()
        signer.ensure_certificates()
        ensure_again = time.perf_counter() - start

        pdf = result_pdf()
        roots = signer.trust_roots()
        sign_pdf = signer.sign_pdf  # warm pyHanko's imports and caches once
        sign_pdf(pdf, agency=AGENCY, signer_name="Nguyễn Văn Bình", reason="Kết quả", location="Minh Họa")
        totals, in_kms, in_dynamodb, verifies = [], [], [], []
        signed = b""
        for _ in range(RUNS):
            kms.reset()
            dynamodb.reset()
            start = time.perf_counter()
            signed = sign_pdf(
                pdf, agency=AGENCY, signer_name="Nguyễn Văn Bình", reason="Kết quả", location="Minh"
            )
            totals.append(time.perf_counter() - start)
            in_kms.append(sum(kms.seconds.values()))
            in_dynamodb.append(sum(dynamodb.seconds.values()))
            start = time.perf_counter()
            if not verify_pdf(signed, roots).valid:
                raise SystemExit("a signature did not verify")
            verifies.append(time.perf_counter() - start)
        calls = {f"kms:{k}": v for k, v in kms.calls.items()} | {
            f"dynamodb:{k}": v for k, v in dynamodb.calls.items()
        }

    total, kms_ms, ddb_ms = (statistics.median(x) * 1000 for x in (totals, in_kms, in_dynamodb))
    group = "signing"
    record(group, "PDF to sign", len(pdf), unit="bytes")
    record(group, "signed PDF", len(signed), unit="bytes")
    record(group, "certificates ensured, first time", round(ensure_first * 1000, 1), unit="ms")
    record(group, "certificates ensured, unchanged", round(ensure_again * 1000, 1), unit="ms")
    record(group, f"sign one result (median of {RUNS})", round(total, 1), unit="ms")
    record(group, "of which KMS (moto)", round(kms_ms, 1), unit="ms")
    record(group, "of which certificate read", round(ddb_ms, 1), unit="ms")
    record(group, "of which pyHanko", round(total - kms_ms - ddb_ms, 1), unit="ms")
    record(group, "KMS share", round(kms_ms / total, 2))
    for operation, count in sorted(calls.items()):
        record(group, f"{operation} per signature", count, unit="calls")
    record(group, f"verify one (median of {RUNS})", round(statistics.median(verifies) * 1000, 1), unit="ms")


if __name__ == "__main__":
    main()
