"""The overview's district chart: all 25 of Seoul's districts labelled in full on lines of their own, and a scale
whose bars can be told apart early in a campaign (checked on the Vega-Lite spec; screenshots in the report)."""

from __future__ import annotations

import pandas as pd

from safeclass.domain import SEOUL_DISTRICTS
from safeclass.services.reports import district_label
from safeclass.ui.coordinator import DISTRICT_ROW_PX, district_chart


def _table(rates: list[float | None]) -> pd.DataFrame:
    districts = sorted(SEOUL_DISTRICTS)
    return pd.DataFrame(
        {
            "label": [district_label(d, "ko") for d in districts],
            "shown_rate": rates,
            "rate_text": ["<5" if r is None else f"{r:.1%}" for r in rates],
            "sites": 52,
            "sites_started": 50,
        }
    )


def test_every_district_label_is_shown_in_full_on_its_own_line() -> None:
    rates = [0.021 + 0.0004 * i for i in range(24)] + [None]
    spec = district_chart(_table(rates)).to_dict()
    assert len(SEOUL_DISTRICTS) == 25 and len({row["label"] for row in spec["datasets"][next(iter(spec["datasets"]))]}) == 25
    axis = spec["layer"][0]["encoding"]["y"]["axis"]
    assert axis["labelLimit"] == 0 and axis["labelOverlap"] is False  # never cut ("영등포구") nor dropped
    assert axis["labelFontSize"] >= 12
    assert spec["height"] >= DISTRICT_ROW_PX * 25 and axis["labelFontSize"] * 1.5 <= DISTRICT_ROW_PX


def test_the_scale_follows_the_rates_and_leaves_room_for_the_printed_figure() -> None:
    early = district_chart(_table([0.02 + 0.0004 * i for i in range(25)])).to_dict()
    upper = early["layer"][0]["encoding"]["x"]["scale"]["domain"][1]
    assert 0.03 < upper <= 0.05  # a few percent everywhere: bars fill the width, not 3 % of it
    middle = district_chart(_table([0.3] * 24 + [0.4])).to_dict()
    assert middle["layer"][0]["encoding"]["x"]["scale"]["domain"][1] >= 0.4 * 1.2  # room after the longest bar
    late = district_chart(_table([0.9] * 24 + [0.99])).to_dict()
    assert late["layer"][0]["encoding"]["x"]["scale"]["domain"][1] == 1.0
    hidden = district_chart(_table([None] * 25)).to_dict()
    assert hidden["layer"][0]["encoding"]["x"]["scale"]["domain"][1] > 0  # all hidden: an empty but valid chart
