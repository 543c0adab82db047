import pytest
from django.core.exceptions import ValidationError

from propserv.phones import mask_phone, phone_validator


@pytest.mark.parametrize(
    "good",
    [
        "13800138000",
        "19912345678",
        "0755-86001234",
        "075586001234",
        "010-12345678",
        "86001234",
        "8600123",
    ],
)
def test_valid_numbers(good):
    phone_validator(good)


@pytest.mark.parametrize(
    "bad",
    [
        "1380013800",
        "138001380001",
        "12800138000",
        "0755-123",
        "abc",
        "138 0013 8000",
        "+8613800138000x",
    ],
)
def test_invalid_numbers_are_refused(bad):
    with pytest.raises(ValidationError):
        phone_validator(bad)


def test_mask_keeps_first_three_and_last_four():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("") == ""


def test_short_numbers_show_only_their_last_two_digits():
    assert mask_phone("86001234") == "******34"
