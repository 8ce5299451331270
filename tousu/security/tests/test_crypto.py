"""Values written before cryptography moved to :mod:`tousu.security.crypto` still open
and verify after it, byte for byte, and no other module does cryptography itself.

The literals below were produced by the code as it was before the move, under the
fixed keys defined here.
"""

from __future__ import annotations

import ast
import base64
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from tousu.accounts import keys as accounts_keys
from tousu.api.auth import token_digest
from tousu.audit import keys as audit_keys
from tousu.conf import ConfigError
from tousu.evidence import storage
from tousu.orgs.models import Organisation
from tousu.privacy import crypto as privacy_crypto
from tousu.reporter import receipts
from tousu.security import crypto

MASTER = bytes(range(32))
CASE_KEY = bytes(range(100, 132))
INDEX_KEY_TEXT = "yMnKy8zNzs_Q0dLT1NXW19jZ2tvc3d7f4OHi4-Tl5uc"
AUDIT_KEY_TEXT = "MjM0NTY3ODk6Ozw9Pj9AQUJDREVGR0hJSktMTU5PUFE"
ACCOUNTS_KEY_TEXT = "accounts-passphrase-of-at-least-32-characters"
RECEIPT_KEY_TEXT = "receipt-passphrase-of-at-least-32-characters!"

WRAPPED = (
    "w1:18cd5215:a4nonySJJqU7ArAA2fntPf62KR8gZOQxpTeI8t2NNvox1xgWUO4RbjaDXbRhu23Bx398ufjM/FEt1tmu"
)
SEALED_PHONE = "s1:fBcitPMYeKM/kLrI5PEHtGSXLck6Zq1HR7xfK0iDnSqfmpJU2eBrB0phfhZweQ=="
SEALED_NAME = "s1:nwXc30YWczfU9jFuiocaU+3uNYW4sB7NI0wEDslSoXMAWiQDpA=="
SEALED_TOTP = "a1:un9+ae/M9JGv1VF9PlTKt5q1jLQT62eq3bX9Bfr8KOBYfw9u0izBmrO1YAXlsvJ0rrDUbWxniNLvb83T"
BLOB = bytes.fromhex(
    "5453423171dd2cc8bb8fc5df3193f9f39178a09ab5bde39f9af5ef0a007684fb"
    "ffea76578cf5ee5c8f645911906f3b75056abf7235133a"
)
BLOB_SHA = "ab" * 32


def _forget_all() -> None:
    privacy_crypto.forget_keys()
    privacy_crypto.index_key.cache_clear()
    accounts_keys.forget()
    audit_keys.forget_audit_key()
    receipts._key.cache_clear()


@pytest.fixture
def old_keys(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """The keys the literals were written under, in the environment."""
    monkeypatch.setenv("TOUSU_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("TOUSU_MASTER_KEY", base64.urlsafe_b64encode(MASTER).decode().rstrip("="))
    monkeypatch.setenv("TOUSU_INDEX_KEY", INDEX_KEY_TEXT)
    monkeypatch.setenv("TOUSU_AUDIT_KEY", AUDIT_KEY_TEXT)
    monkeypatch.setenv("TOUSU_ACCOUNTS_KEY", ACCOUNTS_KEY_TEXT)
    monkeypatch.setenv("TOUSU_RECEIPT_KEY", RECEIPT_KEY_TEXT)
    _forget_all()
    try:
        yield
    finally:
        monkeypatch.undo()
        _forget_all()


def test_a_case_key_wrapped_before_the_move_still_unwraps_under_its_master_key(
    old_keys: None,
) -> None:
    assert privacy_crypto.key_id(MASTER) == "18cd5215" == WRAPPED.split(":")[1]
    assert privacy_crypto.unwrap(WRAPPED) == CASE_KEY
    assert privacy_crypto.unwrap(WRAPPED, master=MASTER) == CASE_KEY
    with pytest.raises(crypto.CryptoError):
        privacy_crypto.unwrap(WRAPPED, master=CASE_KEY)


def test_a_personal_field_sealed_before_the_move_still_opens_and_only_in_its_own_field() -> None:
    assert privacy_crypto.open_sealed(CASE_KEY, SEALED_PHONE, context="party.phone") == (
        "张三 13800138000"
    )
    assert privacy_crypto.open_sealed(CASE_KEY, SEALED_NAME, context="party.name") == "Zhang San"
    with pytest.raises(crypto.CryptoError):
        privacy_crypto.open_sealed(CASE_KEY, SEALED_PHONE, context="party.name")
    with pytest.raises(crypto.CryptoError):
        privacy_crypto.open_sealed(MASTER, SEALED_PHONE, context="party.phone")


def test_a_new_seal_reads_back_in_the_same_format_the_old_code_wrote() -> None:
    token = privacy_crypto.seal(CASE_KEY, "李四", context="party.name")
    raw = base64.b64decode(token.removeprefix("s1:"))
    assert token.startswith("s1:") and len(raw) == 12 + len("李四".encode()) + 16
    assert privacy_crypto.open_sealed(CASE_KEY, token, context="party.name") == "李四"
    rewrapped = privacy_crypto.wrap(CASE_KEY, master=MASTER)
    assert rewrapped.startswith("w1:18cd5215:")
    assert privacy_crypto.unwrap(rewrapped, master=MASTER) == CASE_KEY


def test_a_repeat_complainant_is_still_found_by_the_blind_index_written_before_the_move(
    old_keys: None,
) -> None:
    assert privacy_crypto.blind_index("phone", "+86 138-0013-8000") == (
        "48ba7c1598fd043248ce5ab3ae4c006ae48cfee2"
    )
    assert privacy_crypto.blind_index("email", "Someone@Example.COM") == (
        "8911d5b36207456c955df9eaa45bf26f6f8c0f2a"
    )
    assert privacy_crypto.blind_index("id_number", "11010519491231002x") == (
        "dd621c6228cec24b3f48601da9613c6692b8873b"
    )


def test_a_totp_secret_sealed_before_the_move_still_opens_only_for_its_user(
    old_keys: None,
) -> None:
    assert accounts_keys.subkey("totp-seal").hex() == (
        "029240fa226f9bbb3be59465937681db75fa20cbd8bf4ad0a49d01c5cd66f8a4"
    )
    assert accounts_keys.open_sealed(SEALED_TOTP, context="totp:7") == (
        "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    )
    with pytest.raises(accounts_keys.SealError):
        accounts_keys.open_sealed(SEALED_TOTP, context="totp:8")
    with pytest.raises(accounts_keys.SealError):
        accounts_keys.open_sealed(SEALED_PHONE, context="totp:7")


def test_recovery_codes_and_throttle_keys_hashed_before_the_move_still_match(
    old_keys: None,
) -> None:
    assert accounts_keys.digest("recovery", "7:abcdefghjk") == (
        "2365b685768ab16d34c861b2c7be79d5384417b96cbc21947b12bb98423888a7"
    )
    assert accounts_keys.digest("portal-throttle", "submit:203.0.113.0") == (
        "7444a9365d47c77a9591494a0f1620ef747c8dda3fa3835a975cdaed93d17bb0"
    )


def test_audit_seals_and_checkpoints_keyed_before_the_move_still_verify(old_keys: None) -> None:
    assert audit_keys.keyed(b"tousu-audit\nrow 1\nprev") == (
        "46946adf4c21497c8c2560606eec9e8a97985d1ea79c783ed531b026be555434"
    )


def test_an_attachment_sealed_before_the_move_still_opens_only_for_its_case_and_content() -> None:
    assert storage.open_bytes(CASE_KEY, BLOB, case_id=3, sha256=BLOB_SHA) == (
        b"%PDF-1.7 evidence bytes"
    )
    with pytest.raises(crypto.CryptoError):
        storage.open_bytes(CASE_KEY, BLOB, case_id=4, sha256=BLOB_SHA)
    with pytest.raises(crypto.CryptoError):
        storage.open_bytes(CASE_KEY, BLOB, case_id=3, sha256="cd" * 32)
    fresh = storage.seal_bytes(CASE_KEY, b"new", case_id=3, sha256=BLOB_SHA)
    assert fresh[:4] == b"TSB1" and len(fresh) == 4 + 12 + 3 + 16


def test_a_receipt_issued_before_the_move_still_finds_its_case(old_keys: None) -> None:
    assert receipts.digest(Organisation(pk=7), "12345678901234567890") == (
        "895abbe9622163f5eab1e144a08092178d9898deb045c33ed829f68e042ce5fd"
    )


def test_an_api_token_issued_before_the_move_still_authenticates() -> None:
    assert token_digest("tsu_" + "A" * 43) == (
        "2881b1f16d6646aede8e22452274f67605bed1797754e9dafa2b46ce826b3045"
    )


def test_keys_written_to_var_before_the_move_are_read_as_the_same_keys(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("MASTER", "INDEX", "AUDIT", "ACCOUNTS", "RECEIPT"):
        monkeypatch.delenv(f"TOUSU_{name}_KEY", raising=False)
    monkeypatch.setenv("TOUSU_VAR_DIR", str(tmp_path))
    (tmp_path / "index_key").write_text(INDEX_KEY_TEXT + "\n")
    (tmp_path / "accounts_key").write_text(ACCOUNTS_KEY_TEXT)
    (tmp_path / "receipt_key").write_text(RECEIPT_KEY_TEXT)
    _forget_all()
    try:
        assert privacy_crypto.blind_index("phone", "13800138000") == (
            "48ba7c1598fd043248ce5ab3ae4c006ae48cfee2"
        )
        assert accounts_keys.open_sealed(SEALED_TOTP, context="totp:7") == (
            "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
        )
        assert receipts.digest(Organisation(pk=7), "12345678901234567890") == (
            "895abbe9622163f5eab1e144a08092178d9898deb045c33ed829f68e042ce5fd"
        )
        # A key not there yet is generated once, 0600, and read back the same.
        audit = audit_keys.audit_key()
        assert len(audit) == 32
        assert stat.S_IMODE((tmp_path / "audit_key").stat().st_mode) == 0o600
        assert crypto.key_from_env_or_file("TOUSU_AUDIT_KEY", "audit_key") == audit
    finally:
        monkeypatch.undo()
        _forget_all()


def test_a_short_key_in_the_environment_stops_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOUSU_AUDIT_KEY", "too-short")
    with pytest.raises(ConfigError, match="at least 32 characters"):
        crypto.key_from_env_or_file("TOUSU_AUDIT_KEY", "audit_key")
    monkeypatch.setenv("TOUSU_AUDIT_KEY", "x" * 50)
    with pytest.raises(ConfigError, match="32 bytes"):
        crypto.key_from_env_or_file("TOUSU_AUDIT_KEY", "audit_key")


# -- one home ------------------------------------------------------------------------------

_ROOT = Path(__file__).resolve().parents[2]  # the tousu package
_HOME = _ROOT / "security" / "crypto.py"
_FORBIDDEN = ("cryptography.hazmat", "hmac", "secrets")


def _forbidden_imports(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            if any(name == f or name.startswith(f + ".") for f in _FORBIDDEN):
                found.append(f"{node.lineno}: {name}")
    return found


def _sources() -> Iterator[Path]:
    for path in sorted(_ROOT.rglob("*.py")):
        parts = path.relative_to(_ROOT).parts
        if "tests" in parts or path.name in {"conftest.py"} or path.name.startswith("test_"):
            continue
        yield path


def test_no_module_but_the_crypto_module_imports_hazmat_hmac_or_secrets() -> None:
    offenders = {
        str(path.relative_to(_ROOT)): hits
        for path in _sources()
        if path != _HOME and (hits := _forbidden_imports(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}
    assert _forbidden_imports(_HOME.read_text(encoding="utf-8"))  # the scan sees imports


def test_the_scan_catches_every_way_of_importing_a_primitive() -> None:
    for source in (
        "import hmac",
        "import secrets as s",
        "from secrets import token_hex",
        "from cryptography.hazmat.primitives.ciphers.aead import AESGCM",
        "import cryptography.hazmat.primitives.hashes",
        "from cryptography import hazmat",
        "def f():\n    import hmac\n",
    ):
        assert _forbidden_imports(source), source
    assert _forbidden_imports("import hashlib\nfrom cryptography import x509") == []


def test_the_crypto_module_imports_nothing_of_the_project_but_its_settings_helpers() -> None:
    imported: set[str] = set()
    for node in ast.walk(ast.parse(_HOME.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    assert {name for name in imported if name.split(".")[0] == "tousu"} == {"tousu.conf"}
