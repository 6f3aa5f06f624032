"""UI strings in Korean and English (``locales/ko.yaml``, ``locales/en.yaml``), with numbers and dates via Babel."""

from __future__ import annotations

import datetime as dt
from functools import cache, lru_cache
from pathlib import Path

import yaml
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

LANGUAGES = ("ko", "en")
DEFAULT_LANGUAGE = "ko"
LOCALES = Path(__file__).resolve().parent / "locales"


@cache
def _strings(lang: str) -> dict[str, str]:
    flat: dict[str, str] = {}

    def walk(prefix: str, value: object) -> None:
        if isinstance(value, dict):
            for key, child in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), child)
        else:
            flat[prefix] = str(value)

    walk("", yaml.safe_load((LOCALES / f"{lang}.yaml").read_text(encoding="utf-8")))
    return flat


def translate(key: str, lang: str, **params: object) -> str:
    """The UI string ``key`` in ``lang`` with ``{params}`` filled in; the key itself if it is missing."""
    strings = _strings(lang if lang in LANGUAGES else DEFAULT_LANGUAGE)
    text = strings.get(key) or _strings(DEFAULT_LANGUAGE).get(key) or key
    return text.format(**params) if params else text


def all_keys(lang: str) -> set[str]:
    """Every key defined for ``lang`` (used by the test that both languages match)."""
    return set(_strings(lang))


def _locale(lang: str) -> str:
    return "ko_KR" if lang == "ko" else "en_GB"


# Tables format hundreds of cells per rerun (Babel: ~10 µs each); the same counts recur from run to run.
@lru_cache(maxsize=16_384)
def number(value: float, lang: str) -> str:
    """A whole number with the language's grouping (12,345)."""
    return format_decimal(value, locale=_locale(lang))


@lru_cache(maxsize=16_384)
def percent(value: float, lang: str) -> str:
    """A ratio as a percentage with one decimal (12.3%)."""
    return format_percent(value, format="#,##0.0%", locale=_locale(lang))


def date(value: dt.date, lang: str) -> str:
    """A date in the language's medium format."""
    return format_date(value, format="medium", locale=_locale(lang))
