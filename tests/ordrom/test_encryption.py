"""Small secrets at rest (staff TOTP keys) are encrypted, with key rotation."""

import pytest
from cryptography.fernet import Fernet

from ordrom import encryption


def test_encrypted_value_is_prefixed_and_does_not_contain_the_secret():
    value = encryption.encrypt("JBSWY3DPEHPK3PXP")

    assert value.startswith("fernet:")
    assert "JBSWY3DPEHPK3PXP" not in value
    assert encryption.decrypt(value) == "JBSWY3DPEHPK3PXP"


def test_value_written_before_encryption_is_read_as_it_is():
    assert encryption.decrypt("JBSWY3DPEHPK3PXP") == "JBSWY3DPEHPK3PXP"


def test_old_key_still_decrypts_after_a_new_key_is_put_first(settings):
    old = Fernet.generate_key().decode()
    settings.ORDROM_MFA_KEYS = [old]
    value = encryption.encrypt("secret")

    settings.ORDROM_MFA_KEYS = [Fernet.generate_key().decode(), old]

    assert encryption.decrypt(value) == "secret"


def test_passphrase_keys_are_accepted(settings):
    settings.ORDROM_MFA_KEYS = ["a long passphrase that is not a fernet key"]

    assert encryption.decrypt(encryption.encrypt("secret")) == "secret"


def test_value_from_an_unknown_key_is_refused(settings):
    settings.ORDROM_MFA_KEYS = [Fernet.generate_key().decode()]
    value = encryption.encrypt("secret")
    settings.ORDROM_MFA_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(ValueError, match="ORDROM_MFA_KEY"):
        encryption.decrypt(value)
