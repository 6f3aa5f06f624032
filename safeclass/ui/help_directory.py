"""The campaign's help directory as cards: who to call or text, the web, hours, and what each does."""

from __future__ import annotations

from urllib.parse import quote

import streamlit as st

from safeclass.content.models import Campaign, HelpEntry
from safeclass.ui.i18n import t, text


def _digits(number: str) -> str:
    return "".join(ch for ch in number if ch.isdigit() or ch in "+#")


def contact_lines(entry: HelpEntry) -> list[str]:
    """Markdown lines with tel:, sms: and web links for one entry."""
    lines = []
    if entry.phone:
        lines.append(f"**{t('help.phone')}** [{entry.phone}](tel:{quote(_digits(entry.phone))})")
    if entry.text:
        lines.append(f"**{t('help.text')}** [{entry.text}](sms:{quote(_digits(entry.text))})")
    if entry.web:
        lines.append(f"**{t('help.web')}** [{entry.web.removeprefix('https://').rstrip('/')}]({entry.web})")
    lines.append(f"**{t('help.hours')}** {text(entry.hours)}")
    return lines


def render_help_directory(campaign: Campaign, columns: int = 2) -> None:
    """Every entry of the help directory, after the reassurance that it is never the student's fault."""
    st.info(t("help.intro"), icon=":material/favorite:")
    entries = list(campaign.help.values())
    for row in range(0, len(entries), columns):
        for column, entry in zip(st.columns(columns), entries[row : row + columns], strict=False):
            with column.container(border=True):
                st.markdown(f"**{text(entry.name)}**")
                st.write(text(entry.does))
                st.markdown("  \n".join(contact_lines(entry)))
