"""Personal data at rest: AES-GCM with a key id, a keyed blind index, masks for display."""

from __future__ import annotations

from django.test import override_settings

from tongxin.core import pii

NUMBER = "33020319850307123X"


def test_encrypt_then_decrypt_gives_the_value_back():
    stored = pii.encrypt(NUMBER)
    assert NUMBER not in stored
    assert stored.startswith("k1:")
    assert pii.decrypt(stored) == NUMBER
    assert pii.decrypt("") == ""


def test_the_ciphertext_differs_every_time():
    assert pii.encrypt(NUMBER) != pii.encrypt(NUMBER)


def test_blind_index_is_stable_distinct_and_keyed():
    index = pii.blind_index(NUMBER)
    assert index == pii.blind_index(NUMBER)
    assert len(index) == 32 and NUMBER not in index
    assert index != pii.blind_index("33020319850307124X")
    with override_settings(PII_KEY="another-installation-key"):
        assert pii.blind_index(NUMBER) != index


def test_a_value_encrypted_under_one_key_is_unreadable_under_another():
    stored = pii.encrypt(NUMBER)
    with override_settings(PII_KEY="another-installation-key"):
        try:
            pii.decrypt(stored)
        except Exception as e:  # cryptography's InvalidTag
            assert type(e).__name__ == "InvalidTag"
        else:
            raise AssertionError("decrypting with the wrong key must fail")


def test_phone_normalization_and_mask():
    assert pii.normalize_phone("+86 138-1234-5678") == "13812345678"
    assert pii.normalize_phone("１３８１２３４５６７８") == "13812345678"
    assert pii.is_mobile("13812345678")
    assert not pii.is_mobile("12812345678")
    assert not pii.is_mobile("1381234567")
    assert pii.mask_phone("13812345678") == "138****5678"
    assert pii.mask_phone("12345") == "*****"
