"""Every refusal code raised anywhere in safeclass has a message in both languages."""

from __future__ import annotations

import re
from pathlib import Path

from safeclass import i18n

ROOT = Path(__file__).resolve().parents[2]
RAISED = re.compile(r"""\b(?:ServiceError|Refusal)\(\s*["']([a-z_]+)["']""")


def test_every_raised_code_has_a_message_in_korean_and_english() -> None:
    codes = {"not_allowed", "throttled"}  # raised by NotAllowed and Throttled
    for path in (ROOT / "safeclass").rglob("*.py"):
        codes |= set(RAISED.findall(path.read_text(encoding="utf-8")))
    assert len(codes) > 30
    for lang in ("ko", "en"):
        missing = sorted(c for c in codes if f"error.{c}" not in i18n.all_keys(lang))
        assert not missing, (lang, missing)
