"""Secrets at rest: Fernet for stored credentials, hashes for API keys."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

API_KEY_PREFIX = "nla_"


def generate_api_key() -> str:
    """A new API key: a recognisable prefix and 32 random bytes."""
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """The SHA-256 hex digest stored in place of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def display_prefix(token: str) -> str:
    """The part of a key shown in listings so users can tell keys apart."""
    return token[: len(API_KEY_PREFIX) + 6]


def load_or_create_key(configured: str | None, data_dir: Path) -> str:
    """The Fernet key(s): from settings (comma-separated, newest first) or generated once in the data dir."""
    if configured:
        return configured
    path = data_dir / "secret.key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = Fernet.generate_key().decode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def derive_secrets(keys: str, purpose: str) -> list[str]:
    """One HKDF-SHA256 secret per comma-separated server key (newest first), for ``purpose`` only."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    derived = []
    for key in (part.strip() for part in keys.split(",")):
        if key:
            kdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=f"nlactions:{purpose}".encode())
            derived.append(base64.urlsafe_b64encode(kdf.derive(key.encode())).decode())
    return derived


class SecretBox:
    """Encrypts and decrypts JSON values; several keys allow rotation (first one encrypts)."""

    def __init__(self, keys: str):
        fernets = []
        for part in keys.split(","):
            part = part.strip()
            if not part:
                continue
            try:
                fernets.append(Fernet(part.encode()))
            except ValueError:
                # Not a Fernet key: derive one from the passphrase.
                derived = hashlib.sha256(part.encode()).digest()

                fernets.append(Fernet(base64.urlsafe_b64encode(derived)))
        if not fernets:
            raise ValueError("NLACTIONS_SECRET_KEY is empty")
        self._fernet = MultiFernet(fernets)

    def seal(self, value: Any) -> str:
        """Encrypt a JSON-serialisable value."""
        return self._fernet.encrypt(json.dumps(value).encode()).decode()

    def open(self, token: str) -> Any:
        """Decrypt a sealed value; raises ValueError if it was sealed with another key."""
        try:
            return json.loads(self._fernet.decrypt(token.encode()))
        except InvalidToken as exc:
            raise ValueError("stored secret cannot be decrypted with the configured key") from exc
