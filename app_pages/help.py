"""Where to get help: the campaign's help directory, open to everyone, signed in or not."""

import streamlit as st

from safeclass.ui.context import context, require_campaign
from safeclass.ui.i18n import t, text

campaign = require_campaign(context())
st.title(t("help.title"))
st.info(t("help.intro"), icon=":material/favorite:")
entries = list(campaign.help.values())
for row in range(0, len(entries), 2):
    for column, entry in zip(st.columns(2), entries[row : row + 2], strict=False):
        with column.container(border=True):
            st.subheader(text(entry.name), anchor=False)
            st.write(text(entry.does))
            lines = []
            if entry.phone:
                lines.append(f"**{t('help.phone')}** [{entry.phone}](tel:{entry.phone.replace('-', '')})")
            if entry.text:
                lines.append(f"**{t('help.text')}** {entry.text}")
            if entry.web:
                lines.append(f"**{t('help.web')}** [{entry.web.removeprefix('https://')}]({entry.web})")
            lines.append(f"**{t('help.hours')}** {text(entry.hours)}")
            st.markdown("  \n".join(lines))
