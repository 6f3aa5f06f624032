"""The synthetic demo roster: 1,300 plainly fictional sites across Seoul's 25 districts."""

from __future__ import annotations

import csv
import io
import random

from safeclass.content.roster import ROSTER_COLUMNS, SiteRow
from safeclass.domain import SEOUL_DISTRICTS, SiteType

# Close to Seoul's real mix (about 600 elementary, 390 middle, 320 high schools, plus special schools and
# youth facilities), trimmed so the campaign totals 1,300 sites.
SITE_MIX: dict[SiteType, int] = {
    SiteType.ELEMENTARY: 580,
    SiteType.MIDDLE: 375,
    SiteType.HIGH: 305,
    SiteType.SPECIAL: 20,
    SiteType.YOUTH: 20,
}
_CODE_PREFIX = {SiteType.ELEMENTARY: "E", SiteType.MIDDLE: "M", SiteType.HIGH: "H", SiteType.SPECIAL: "X", SiteType.YOUTH: "Y"}
_SUFFIX = {
    SiteType.ELEMENTARY: "초등학교",
    SiteType.MIDDLE: "중학교",
    SiteType.HIGH: "고등학교",
    SiteType.SPECIAL: "특수학교",
    SiteType.YOUTH: "청소년센터",
}
_STUDENTS = {
    SiteType.ELEMENTARY: (150, 1100),
    SiteType.MIDDLE: (200, 950),
    SiteType.HIGH: (250, 1050),
    SiteType.SPECIAL: (60, 200),
    SiteType.YOUTH: (40, 300),
}
_SYLLABLES = "가나다라마바사아자하한새솔빛누리온해달별숲샘들봄여름가람나래다온미르보람슬기아름"
SYNTHETIC_LABEL = "[가상]"


def synthetic_roster(seed: int = 2025) -> list[SiteRow]:
    """A deterministic synthetic roster; every name starts with [가상] (synthetic)."""
    rng = random.Random(seed)
    districts = list(SEOUL_DISTRICTS)
    rows: list[SiteRow] = []
    used: set[str] = set()
    for site_type, count in SITE_MIX.items():
        low, high = _STUDENTS[site_type]
        for n in range(1, count + 1):
            stem = "".join(rng.choice(_SYLLABLES) for _ in range(2))
            name = f"{SYNTHETIC_LABEL} {stem}{_SUFFIX[site_type]}"
            if name in used:
                name = f"{SYNTHETIC_LABEL} {stem}{_SUFFIX[site_type]} {n}"
            used.add(name)
            rows.append(
                SiteRow(
                    code=f"{_CODE_PREFIX[site_type]}{n:04d}",
                    name=name,
                    district=districts[(n * 7 + len(rows)) % len(districts)],
                    type=site_type,
                    expected_students=rng.randint(low, high),
                )
            )
    return rows


def roster_csv(rows: list[SiteRow]) -> str:
    """Rows as roster CSV text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ROSTER_COLUMNS)
    for r in rows:
        writer.writerow([r.code, r.name, r.district, r.type.value, r.expected_students])
    return out.getvalue()
