"""Signed results on moto's KMS: certificates issued in KMS, PAdES signatures, and checks anyone can run."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from io import BytesIO
from typing import Any

import pytest
from asn1crypto import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.serialization import load_der_public_key
from fpdf import FPDF
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from motcua.adapters import clients
from motcua.adapters.certificates import DynamoCertificateStore
from motcua.domain.errors import NotFound
from motcua.resources import TABLE
from motcua.signing import pki
from motcua.signing.issuing import CertificateAuthority
from motcua.signing.kms import KeyMisconfigured
from motcua.signing.ports import StoredCertificates
from motcua.signing.sign import DocumentSigner, SignatureBox
from motcua.signing.verify import verify_pdf
from tests.conftest import REGION, CallLog

PROVINCE = "Tỉnh Minh Họa"
FINANCE, WARD = "000.00.01.H99", "000.01.01.H99"
NAMES = {FINANCE: "Sở Tài chính", WARD: "Ủy ban nhân dân phường Minh Họa"}
TEXT = b"KET QUA GIAI QUYET THU TUC HANH CHINH"


def result_pdf() -> bytes:
    """A one-page result whose text sits uncompressed in the file, so a test can change one letter."""
    pdf = FPDF()
    pdf.set_compression(False)
    pdf.add_page()
    pdf.set_font("Helvetica", size=14)
    pdf.cell(text=TEXT.decode())
    return bytes(pdf.output())


@dataclass
class MemoryCertificateStore:
    """CertificateStore in memory, with DynamoDB's conditional-write semantics."""

    stored: StoredCertificates = field(default_factory=StoredCertificates)

    def load(self) -> StoredCertificates:
        return StoredCertificates(dict(self.stored.authorities), dict(self.stored.agencies))

    def add_authority(self, key_fingerprint: str, der: bytes) -> bool:
        if key_fingerprint in self.stored.authorities:
            return False
        self.stored.authorities[key_fingerprint] = der
        return True

    def put_agency(self, agency: str, der: bytes, *, replaces: bytes | None) -> bool:
        if self.stored.agencies.get(agency) != replaces:
            return False
        self.stored.agencies[agency] = der
        return True


class Pki:
    """Moto's KMS and DynamoDB with the province's keys, and a signer wired to them."""

    def __init__(self) -> None:
        self.kms = clients.client("kms", REGION)
        self.dynamodb = clients.client("dynamodb", REGION)
        self.table = "motcua-signing"
        self.dynamodb.create_table(
            TableName=self.table,
            KeySchema=[
                {"AttributeName": TABLE.partition_key, "KeyType": "HASH"},
                {"AttributeName": TABLE.sort_key, "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": TABLE.partition_key, "AttributeType": "S"},
                {"AttributeName": TABLE.sort_key, "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        self.store = DynamoCertificateStore(self.dynamodb, self.table)
        self.keys = {pki.CA: self.new_key(), FINANCE: self.new_key(), WARD: self.new_key()}

    def new_key(self) -> str:
        meta = self.kms.create_key(KeySpec="RSA_3072", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
        arn: str = meta["Arn"]  # MOTCUA_SIGNING_KEYS holds ARNs (infra/constructs/signing.py)
        return arn

    def profile(self, keys: dict[str, str] | None = None) -> pki.PkiProfile:
        return pki.PkiProfile.from_settings(keys or self.keys, province=PROVINCE, agency_names=NAMES)

    def signer(self, store: Any = None, keys: dict[str, str] | None = None, **kwargs: Any) -> DocumentSigner:
        """The API's signer: the agencies' keys only; the CA key is the issuer's (the PKI function's)."""
        store = store or self.store
        keys = keys or self.keys
        agencies_only = {code: key for code, key in keys.items() if code != pki.CA}
        issuer = CertificateAuthority(kms_client=self.kms, store=store, profile=self.profile(keys))
        return DocumentSigner(
            kms_client=self.kms, store=store, profile=self.profile(agencies_only), issuer=issuer, **kwargs
        )

    def ensure(self, store: Any = None, **kwargs: Any) -> pki.Certificates:
        return pki.ensure_certificates(self.kms, store or self.store, self.profile(), **kwargs)

    def items(self) -> list[str]:
        found = self.dynamodb.query(
            TableName=self.table,
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": {"S": "PKI"}},
        )["Items"]
        return sorted(item["SK"]["S"] for item in found)


@pytest.fixture
def env(aws: None) -> Pki:
    return Pki()


def sign(signer: DocumentSigner, pdf: bytes | None = None, agency: str = FINANCE, **kwargs: Any) -> bytes:
    return signer.sign_pdf(
        pdf or result_pdf(),
        agency=agency,
        signer_name="Nguyễn Văn Bình",
        reason="Kết quả giải quyết thủ tục hành chính",
        location="Tỉnh Minh Họa",
        **kwargs,
    )


# --- certificates ----------------------------------------------------------------------------------


def test_ensure_issues_a_ca_and_one_certificate_per_agency_all_signed_in_kms(env: Pki) -> None:
    certificates = env.ensure()

    assert certificates.issued == (pki.CA, FINANCE, WARD)
    assert env.items() == sorted(
        [f"CA#{certificates.authorities[0].public_key.sha256.hex()}", f"CERT#{FINANCE}", f"CERT#{WARD}"]
    )
    ca = certificates.authorities[0]
    assert ca.ca and ca.self_signed == "maybe"
    assert ca.key_usage_value.native == {"key_cert_sign", "crl_sign"}
    assert ca.subject.native["organization_name"] == PROVINCE
    assert ca.not_valid_after - ca.not_valid_before > timedelta(days=3650)
    # Every signature checks with the CA's public key, which is the CA key's in KMS.
    ca_public = load_der_public_key(env.kms.get_public_key(KeyId=env.keys[pki.CA])["PublicKey"])
    for cert in (ca, *certificates.agencies.values()):
        ca_public.verify(  # type: ignore[union-attr, call-arg]
            cert.signature, cert["tbs_certificate"].dump(), padding.PKCS1v15(), hashes.SHA256()
        )
    finance = certificates.agencies[FINANCE]
    assert finance.subject.native == {
        "country_name": "VN",
        "organization_name": PROVINCE,
        "common_name": "Sở Tài chính",
        "serial_number": FINANCE,
    }
    assert finance.public_key.dump() == env.kms.get_public_key(KeyId=env.keys[FINANCE])["PublicKey"]
    assert not finance.ca
    assert finance.key_usage_value.native == {"digital_signature", "non_repudiation"}
    assert finance.extended_key_usage_value.native == ["1.3.6.1.5.5.7.3.36"]
    assert finance.authority_key_identifier == ca.key_identifier
    assert timedelta(days=1090) < finance.not_valid_after - finance.not_valid_before < timedelta(days=1100)
    assert finance.serial_number != certificates.agencies[WARD].serial_number


def test_ensure_again_reads_once_and_writes_nothing(env: Pki) -> None:
    first = env.ensure()
    log = CallLog()
    env.dynamodb.meta.events.register("after-call.dynamodb", log)

    again = env.ensure()

    assert log.calls == ["Query"]
    assert again.issued == ()
    assert [c.dump() for c in again.authorities] == [c.dump() for c in first.authorities]
    assert {k: c.dump() for k, c in again.agencies.items()} == {
        k: c.dump() for k, c in first.agencies.items()
    }


def test_an_agency_certificate_is_renewed_before_it_expires(env: Pki) -> None:
    env.ensure()

    later = env.ensure(now=datetime.now(UTC) + timedelta(days=3 * 365 - 20))

    assert later.issued == (FINANCE, WARD)


def test_a_racing_ensure_adopts_what_the_winner_wrote(env: Pki) -> None:
    # Given an ensure that reads the store just before another ensure does all the work
    class Late(DynamoCertificateStore):
        raced = False

        def load(self) -> StoredCertificates:
            stale = super().load()
            if not self.raced:
                self.raced = True
                winner.append(env.ensure())
            return stale

    winner: list[pki.Certificates] = []
    loser = env.ensure(store=Late(env.dynamodb, env.table))

    # Then its conditional writes fail, it reads again and returns the winner's certificates
    assert len(env.items()) == 3
    assert loser.issued == ()
    assert [c.dump() for c in loser.authorities] == [c.dump() for c in winner[0].authorities]
    assert loser.agencies[FINANCE].dump() == winner[0].agencies[FINANCE].dump()


def test_concurrent_ensures_issue_each_certificate_once(env: Pki, aws_requests_atomic: CallLog) -> None:
    results: list[pki.Certificates] = []

    def run() -> None:
        results.append(env.ensure())

    threads = [threading.Thread(target=run) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(results) == 6
    assert len(env.items()) == 3
    assert len({r.authorities[0].dump() for r in results}) == 1
    assert len({r.agencies[FINANCE].dump() for r in results}) == 1
    assert sorted(code for r in results for code in r.issued) == sorted([pki.CA, FINANCE, WARD])


def test_a_key_that_cannot_sign_is_refused(env: Pki) -> None:
    env.keys[WARD] = env.kms.create_key(KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]["KeyId"]

    with pytest.raises(KeyMisconfigured):
        env.ensure()
    # Without the CA key (the API's keys) nothing can be issued: that is the PKI function's work.
    without_ca = pki.PkiProfile.from_settings(
        {FINANCE: env.keys[FINANCE]}, province=PROVINCE, agency_names=NAMES
    )
    with pytest.raises(KeyMisconfigured):
        pki.ensure_certificates(env.kms, env.store, without_ca)


def test_the_apis_signer_without_the_ca_key_asks_the_issuer_for_certificates(env: Pki) -> None:
    # Given a signer holding the agencies' keys only, and an issuer that counts its calls
    issued: list[tuple[str, ...]] = []
    authority = CertificateAuthority(kms_client=env.kms, store=env.store, profile=env.profile())

    class Counting:
        def issue(self) -> tuple[str, ...]:
            issued.append(authority.issue())
            return issued[-1]

    agencies = {code: key for code, key in env.keys.items() if code != pki.CA}
    signer = DocumentSigner(
        kms_client=env.kms, store=env.store, profile=env.profile(agencies), issuer=Counting()
    )

    # When it signs twice
    first, second = sign(signer), sign(signer)

    # Then the issuer issued the certificates once, and both results verify
    assert issued == [(pki.CA, FINANCE, WARD)]
    assert all(verify_pdf(pdf, signer.trust_roots()).valid for pdf in (first, second))


# --- signing and verifying ---------------------------------------------------------------------------


def test_signing_and_verifying_work_where_an_event_loop_already_runs(env: Pki) -> None:
    # pyHanko's sync calls start their own loop; a caller inside a running one (an async handler, a
    # browser driver in the same thread) must still get a signature and a verdict.
    signer = env.signer()

    async def inside() -> Any:
        return verify_pdf(sign(signer), signer.trust_roots())

    found: list[Any] = []

    def in_a_loop() -> None:  # a thread of its own: this one may already run a loop (a browser driver)
        loop = asyncio.new_event_loop()
        try:
            found.append(loop.run_until_complete(inside()))
        finally:
            loop.close()

    thread = threading.Thread(target=in_a_loop)
    thread.start()
    thread.join()
    assert found and found[0].valid


def test_a_signed_result_verifies_and_names_its_agency_and_time(env: Pki) -> None:
    signer = env.signer()

    signed = sign(signer)
    result = verify_pdf(signed, signer.trust_roots())

    assert result.valid, result.problem
    assert (result.intact, result.trusted, result.covers_whole_file) == (True, True, True)
    assert not result.modified_after_signing
    assert result.problem is None
    assert result.signer is not None
    assert result.signer.name == "Sở Tài chính"
    assert result.signer.organisation == PROVINCE
    assert result.signer.agency_code == FINANCE
    assert result.signer.person == "Nguyễn Văn Bình"
    assert result.reason == "Kết quả giải quyết thủ tục hành chính"
    assert result.signed_at is not None and result.signed_at.tzinfo is not None
    assert abs(result.signed_at - datetime.now(UTC)) < timedelta(seconds=30)


def test_signing_embeds_the_agency_and_ca_certificates_pades(env: Pki) -> None:
    from pyhanko.pdf_utils.reader import PdfFileReader

    signed = sign(env.signer())

    embedded = PdfFileReader(BytesIO(signed)).embedded_signatures[0]
    assert embedded.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    certs = [x509.Certificate.load(c.chosen.dump()) for c in embedded.signed_data["certificates"]]
    subjects = {c.subject.native["common_name"] for c in certs}
    assert subjects == {"Sở Tài chính", f"{PROVINCE} – Dịch vụ chứng thực (motcua)"}


def test_one_changed_byte_in_the_signed_range_is_tampering(env: Pki) -> None:
    signer = env.signer()
    signed = sign(signer)
    assert signed.count(TEXT) == 1

    tampered = signed.replace(TEXT, TEXT.replace(b"QUA", b"QUY"))
    result = verify_pdf(tampered, signer.trust_roots())

    assert not result.valid
    assert not result.intact
    assert result.problem is not None and result.problem.code == "tampered"


def test_an_update_saved_after_signing_is_reported(env: Pki) -> None:
    signer = env.signer()
    writer = IncrementalPdfFileWriter(BytesIO(sign(signer)))
    writer.root["/PageMode"] = generic.NameObject("/UseOutlines")
    writer.update_root()
    out = BytesIO()
    writer.write(out)

    result = verify_pdf(out.getvalue(), signer.trust_roots())

    assert result.intact and result.trusted
    assert result.modified_after_signing
    assert not result.covers_whole_file
    assert not result.valid
    assert result.problem is not None and result.problem.code == "modified_after_signing"


def test_a_signature_from_another_ca_is_untrusted_even_with_the_same_names(env: Pki) -> None:
    # Given a rogue CA issuing a certificate that names the Department of Finance exactly as ours does
    roots = env.ensure().trust_roots()
    rogue_keys = {pki.CA: env.new_key(), FINANCE: env.new_key()}
    rogue = env.signer(store=MemoryCertificateStore(), keys=rogue_keys)

    result = verify_pdf(sign(rogue), roots)

    assert result.intact
    assert not result.trusted and not result.valid
    assert result.signer is not None and result.signer.agency_code == FINANCE
    assert result.problem is not None and result.problem.code == "untrusted"


def test_rotating_an_agency_key_keeps_old_results_valid(env: Pki) -> None:
    signer = env.signer()
    before = sign(signer)
    old_cert = env.ensure().agencies[FINANCE]

    # When the Department of Finance gets a new KMS key
    env.keys[FINANCE] = env.new_key()
    renewed = env.ensure()

    assert renewed.issued == (FINANCE,)
    assert renewed.agencies[FINANCE].dump() != old_cert.dump()
    after = sign(env.signer())
    for pdf in (before, after):
        result = verify_pdf(pdf, signer.trust_roots())
        assert result.valid, result.problem
    assert env.items().count(f"CERT#{FINANCE}") == 1


def test_signing_after_a_key_change_issues_the_certificate_itself(env: Pki) -> None:
    env.ensure()
    env.keys[FINANCE] = env.new_key()  # nobody ran ensure since

    signed = sign(env.signer())

    assert verify_pdf(signed, env.signer().trust_roots()).valid
    assert env.ensure().issued == ()


def test_a_new_ca_key_adds_a_trust_root_and_old_results_stay_valid(env: Pki) -> None:
    before = sign(env.signer())

    env.keys[pki.CA] = env.new_key()
    rotated = env.ensure()

    assert rotated.issued == (pki.CA, FINANCE, WARD)
    assert len(rotated.trust_roots()) == 2
    after = sign(env.signer())
    roots = env.signer().trust_roots()
    assert verify_pdf(before, roots).valid
    assert verify_pdf(after, roots).valid


def test_signing_issues_missing_certificates_first(env: Pki) -> None:
    assert env.items() == []

    signed = sign(env.signer(), agency=WARD)

    result = verify_pdf(signed, env.signer().trust_roots())
    assert result.valid and result.signer is not None and result.signer.agency_code == WARD


def test_an_agency_without_a_key_cannot_sign(env: Pki) -> None:
    with pytest.raises(NotFound):
        sign(env.signer(), agency="000.00.09.H99")


@pytest.mark.parametrize("font", [None, "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"])
def test_a_visible_stamp_is_drawn_in_its_box(env: Pki, font: str | None) -> None:
    import pypdfium2

    if font is not None and not __import__("pathlib").Path(font).exists():
        pytest.skip("no DejaVu font on this machine")
    signer = env.signer(stamp_font=font)
    box = SignatureBox(page=0, x1=320, y1=60, x2=560, y2=120)

    signed = sign(signer, box=box)

    assert verify_pdf(signed, signer.trust_roots()).valid
    document = pypdfium2.PdfDocument(signed)
    document.init_forms()
    page = document[0]
    height = page.get_height()
    image = page.render(scale=1, may_draw_forms=True).to_pil().convert("RGB")
    inside = image.crop((box.x1, height - box.y2, box.x2, height - box.y1))
    outside = image.crop((box.x1, height - box.y2 - 100, box.x2, height - box.y1 - 100))
    red = [p for p in _pixels(inside) if p[0] > 150 and p[1] < 120 and p[2] < 120]
    assert len(red) > 200  # the frame and the text, in the stamp's red
    assert set(_pixels(outside)) == {(255, 255, 255)}


def _pixels(image: Any) -> list[tuple[int, ...]]:
    raw = image.tobytes()
    return [tuple(raw[i : i + 3]) for i in range(0, len(raw), 3)]


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda signed, plain: b"", "not_a_pdf"),
        (lambda signed, plain: b"garbage \x00\xff" * 100, "not_a_pdf"),
        (lambda signed, plain: plain, "not_signed"),
        (lambda signed, plain: signed[: len(signed) // 2], None),
        (lambda signed, plain: _zero_signature(signed), None),
    ],
    ids=["empty", "garbage", "unsigned", "truncated", "signature-zeroed"],
)
def test_bad_input_gives_an_answer_never_an_exception(env: Pki, make: Any, problem: str | None) -> None:
    signer = env.signer()
    pdf = make(sign(signer), result_pdf())

    result = verify_pdf(pdf, signer.trust_roots())

    assert not result.valid
    assert result.problem is not None
    if problem is not None:
        assert result.problem.code == problem


def _zero_signature(signed: bytes) -> bytes:
    start = signed.index(b"/Contents <") + len(b"/Contents <")
    end = signed.index(b">", start)
    return signed[:start] + b"0" * (end - start) + signed[end:]
