"""Encryption of small secrets at rest (staff TOTP keys), with key rotation.

Keys come from ORDROM_MFA_KEY (comma separated, newest first). A key may be a Fernet key
or any passphrase, which is stretched with SHA-256 into one. Values are stored as
``fernet:<token>``; a value without that prefix is taken as written before encryption was
switched on, so turning it on needs no data migration.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

PREFIX = "fernet:"


def _as_fernet(key: str) -> Fernet:
    try:
        return Fernet(key.encode())
    except ValueError:
        digest = hashlib.sha256(key.encode()).digest()
        return Fernet(base64.urlsafe_b64encode(digest))


@cache
def _box(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([_as_fernet(key) for key in keys])


def encrypt(text: str) -> str:
    token = _box(tuple(settings.ORDROM_MFA_KEYS)).encrypt(text.encode())
    return PREFIX + token.decode()


def decrypt(value: str) -> str:
    if not value.startswith(PREFIX):
        return value
    try:
        return _box(tuple(settings.ORDROM_MFA_KEYS)).decrypt(value[len(PREFIX) :].encode()).decode()
    except InvalidToken as error:
        raise ValueError("Secret cannot be decrypted with the configured ORDROM_MFA_KEY") from error
