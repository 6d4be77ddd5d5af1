"""Masking of personal data (names, phones, addresses) for people who need not see it."""

from __future__ import annotations

import re


def mask_name(name: str) -> str:
    """王小明 → 王**, 王明 → 王*; an empty name stays empty."""
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678; anything short keeps only its last two digits."""
    digits = re.sub(r"\D", "", phone or "")
    if not digits:
        return ""
    if len(digits) > 7:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    return "*" * (len(digits) - 2) + digits[-2:]


def mask_address(address: str, keep: int = 6) -> str:
    """Keeps the first characters (the area) and hides the rest (building, door number)."""
    address = (address or "").strip()
    if len(address) <= keep:
        return address[:2] + "*" * max(len(address) - 2, 0)
    return address[:keep] + "****"
