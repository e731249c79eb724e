"""The key signing id_tokens (RS256): from settings, or generated once into the data dir; and its JWKS."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from joserfc import jwt
from joserfc.jwk import RSAKey

FILE = "oauth_signing_key.pem"
ALG = "RS256"


class SigningKey:
    """One RSA key: signs id_tokens and is published at ``/oauth/jwks/``."""

    def __init__(self, key: RSAKey):
        self._key = key
        self.kid = key.thumbprint()

    @classmethod
    def load(cls, configured: str | None, data_dir: Path) -> SigningKey:
        """The configured PEM, else the data dir's key file (written 0600 on first use)."""
        if configured:
            return cls(RSAKey.import_key(configured))
        path = data_dir / FILE
        if path.exists():
            return cls(RSAKey.import_key(path.read_bytes()))
        key = RSAKey.generate_key(2048)
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process wrote it first: use theirs
            return cls(RSAKey.import_key(path.read_bytes()))
        with os.fdopen(fd, "wb") as handle:
            handle.write(key.as_pem(private=True))
        return cls(key)

    def jwks(self) -> dict[str, Any]:
        """The public key set."""
        public = dict(self._key.as_dict(private=False))
        public.update({"kid": self.kid, "use": "sig", "alg": ALG})
        return {"keys": [public]}

    def id_token(self, claims: dict[str, Any], lifetime_seconds: int) -> str:
        """A signed id_token with ``claims`` plus ``iat`` and ``exp``."""
        issued = int(time.time())
        body = {**claims, "iat": issued, "exp": issued + lifetime_seconds}
        return jwt.encode({"alg": ALG, "kid": self.kid, "typ": "JWT"}, body, self._key)
