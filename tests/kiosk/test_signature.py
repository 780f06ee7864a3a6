"""The tablet's signatures: what they cover, and that nothing else verifies."""

from __future__ import annotations

import hashlib
import hmac

from portal.kiosk import services


def test_the_message_is_the_fields_in_order_with_the_comment_last():
    message = services.item_message(7, "ab" * 16, 1_800_000_000_000, 5, "tốt\nlắm")
    assert message == "v1\n7\n{}\n1800000000000\n5\ntốt\nlắm".format("ab" * 16).encode()


def test_a_signature_is_hmac_sha256_hex_and_verifies():
    key = bytes(range(32))
    message = services.item_message(1, "0" * 32, 1_800_000_000_000, 4, "")
    signature = services.sign(key, message)
    assert signature == hmac.new(key, message, hashlib.sha256).hexdigest()
    assert services.verify(key, message, signature)


def test_any_changed_field_or_key_fails():
    key = bytes(range(32))
    args = (1, "0" * 32, 1_800_000_000_000, 4, "ok")
    signature = services.sign(key, services.item_message(*args))
    for changed in (
        (2, *args[1:]),
        (1, "1" * 32, *args[2:]),
        (1, "0" * 32, 1_800_000_000_001, 4, "ok"),
        (1, "0" * 32, 1_800_000_000_000, 5, "ok"),
        (1, "0" * 32, 1_800_000_000_000, 4, "ok!"),
    ):
        assert not services.verify(key, services.item_message(*changed), signature)
    assert not services.verify(bytes(32), services.item_message(*args), signature)


def test_malformed_signatures_never_verify():
    key = bytes(range(32))
    message = services.item_message(1, "0" * 32, 1_800_000_000_000, 4, "")
    good = services.sign(key, message)
    for bad in (None, "", good.upper(), good[:-1], good + "0", 12, ["x"]):
        assert not services.verify(key, message, bad)


def test_device_keys_differ_per_device_and_salt_and_follow_the_secret(app):
    a = services.device_key(1, "s" * 32)
    assert a == services.device_key(1, "s" * 32) and len(a) == 32
    assert a != services.device_key(2, "s" * 32)
    assert a != services.device_key(1, "t" * 32)
    app.config["SECRET_KEY"] = "another-secret-" + "x" * 40
    assert a != services.device_key(1, "s" * 32)


def test_the_key_text_is_base64url_without_padding():
    text = services.key_text(bytes(range(32)))
    assert "=" not in text and "+" not in text and "/" not in text and len(text) == 43
