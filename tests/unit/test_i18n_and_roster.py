"""UI strings in both languages, help references, and the synthetic roster."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from safeclass import i18n
from safeclass.content.render import fill_help
from safeclass.content.roster import parse_roster
from safeclass.demo_roster import SITE_MIX, roster_csv, synthetic_roster
from safeclass.domain import SEOUL_DISTRICTS

ROOT = Path(__file__).resolve().parents[2]


def test_korean_and_english_define_the_same_keys_and_placeholders() -> None:
    assert i18n.all_keys("ko") == i18n.all_keys("en")
    for key in i18n.all_keys("ko"):
        ko, en = i18n.translate(key, "ko"), i18n.translate(key, "en")
        assert set(re.findall(r"\{(\w+)\}", ko)) == set(re.findall(r"\{(\w+)\}", en)), key


def test_every_translation_key_used_in_code_exists() -> None:
    used = set()
    for path in [ROOT / "app.py", *ROOT.glob("app_pages/*.py"), *ROOT.glob("safeclass/ui/*.py")]:
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_]+\.[a-z_.]+)["']""", path.read_text(encoding="utf-8")))
    missing = sorted(k for k in used if k not in i18n.all_keys("ko"))
    assert not missing


def test_help_references_render_from_the_directory(test_campaign) -> None:
    directory = test_campaign.help
    assert fill_help("{help:youth1388}", directory, "en") == "Youth counseling 1388"  # the number is already in the name
    assert fill_help("{help:youth1388.text}", directory, "ko") == "#1388"
    assert fill_help("{help:police.name}에 신고", directory, "ko") == "경찰 112에 신고"


def test_synthetic_roster_is_realistic_labelled_and_valid() -> None:
    rows = synthetic_roster()
    assert len(rows) == 1300
    assert Counter(r.type for r in rows) == Counter(SITE_MIX)
    assert {r.district for r in rows} == set(SEOUL_DISTRICTS)
    assert all(r.name.startswith("[가상]") for r in rows)
    parsed, problems = parse_roster(roster_csv(rows))
    assert not problems and parsed == rows
    shipped = (ROOT / "campaigns" / "seoul-2025" / "sites.csv").read_text(encoding="utf-8")
    assert shipped == roster_csv(rows), "regenerate the shipped roster from safeclass.demo_roster"
