"""What SafeClass keeps about students and for how long, in plain words for students and parents; open to everyone."""

import streamlit as st

from safeclass import i18n
from safeclass.services.retention import kept_until
from safeclass.ui.context import context, require_campaign
from safeclass.ui.i18n import lang, t, text

campaign = require_campaign(context())
st.title(t("privacy.title"))
st.write(t("privacy.intro"))
for part, params in (
    ("stored", {}),
    ("not_stored", {}),
    ("who", {"k": campaign.k}),
    (
        "how_long",
        {
            "campaign": text(campaign.title),
            "end": i18n.date(campaign.period.end, lang()),
            "days": campaign.retention_days,
            "kept_until": i18n.date(kept_until(campaign), lang()),
        },
    ),
    ("questions", {}),
):
    st.subheader(t(f"privacy.{part}_title"))
    st.markdown(t(f"privacy.{part}", **params))
