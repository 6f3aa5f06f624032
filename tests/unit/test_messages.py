"""Every refusal a user can meet has a message in both languages."""

from __future__ import annotations

import ast
from pathlib import Path

from safeclass import i18n

PACKAGE = Path(__file__).resolve().parents[2] / "safeclass"
RAISERS = {"ServiceError", "Refusal", "NotAllowed"}


def _raised_codes() -> set[str]:
    """Codes passed to ServiceError/Refusal (and super().__init__ in their subclasses) anywhere in the package."""
    codes = {"not_allowed"}  # NotAllowed's own code
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args or not isinstance(node.args[0], ast.Constant):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            is_super_init = name == "__init__" and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Call)
            if (name in RAISERS - {"NotAllowed"} or is_super_init) and isinstance(node.args[0].value, str):
                codes.add(node.args[0].value)
    return codes


def test_every_raised_code_has_a_message_in_korean_and_english() -> None:
    codes = _raised_codes()
    assert {"seat_pin_mismatch", "throttled", "no_attempts_left", "quiz_locked"} <= codes  # the scan finds them
    for lang in i18n.LANGUAGES:
        missing = sorted(c for c in codes if f"error.{c}" not in i18n.all_keys(lang))
        assert not missing, f"{lang}: no message for {missing}"


def test_messages_fill_their_parameters() -> None:
    assert i18n.translate("error.throttled", "en", minutes=5).startswith("Too many tries. Please wait 5 min")
    assert "5분" in i18n.translate("error.throttled", "ko", minutes=5)
