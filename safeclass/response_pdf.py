"""Printable PDFs of the response: the case guide (a blank checklist) and a drill's after-action report.

They embed the NanumSquare fonts shipped in ``safeclass/assets/fonts`` (SIL OFL 1.1; the same files the
certificates use), so Korean prints on any machine without system fonts. Each prints in one language, the
one on screen; a ticked guide is never printed, because the ticks are nobody's record.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from fpdf import FPDF

from safeclass import clock, i18n
from safeclass.content.models import Campaign, Guide, Text
from safeclass.content.render import localize
from safeclass.drills import AfterAction

FONTS = Path(__file__).resolve().parent / "assets" / "fonts"
FAMILY = "NanumSquare"
INK = (31, 41, 55)
MUTED = (90, 98, 112)
ACCENT = (20, 83, 45)
DANGER = (180, 35, 24)
WIDTH = 180  # A4 portrait less 15 mm margins


def _document(title: str) -> FPDF:
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_font(FAMILY, "", FONTS / "NanumSquareR.ttf")
    pdf.add_font(FAMILY, "B", FONTS / "NanumSquareB.ttf")
    pdf.set_creator("SafeClass")
    pdf.set_title(title)
    pdf.set_text_color(*INK)
    pdf.add_page()
    return pdf


def _plain(markdown: str) -> str:
    """Markdown bullets and emphasis as plain lines (the PDF prints no markup)."""
    lines = []
    for line in markdown.strip().splitlines():
        line = re.sub(r"\*\*(.+?)\*\*", r"\1", line.strip())
        lines.append("· " + line[2:] if line.startswith("- ") else line)
    return "\n".join(lines)


def _heading(pdf: FPDF, text: str, size: float = 13, color: tuple[int, int, int] = ACCENT) -> None:
    pdf.set_font(FAMILY, "B", size)
    pdf.set_text_color(*color)
    pdf.multi_cell(WIDTH, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)
    pdf.ln(1.5)


def _para(pdf: FPDF, text: str, size: float = 10, color: tuple[int, int, int] = INK, x: float | None = None) -> None:
    pdf.set_font(FAMILY, "", size)
    pdf.set_text_color(*color)
    if x is not None:
        pdf.set_x(x)
    pdf.multi_cell(WIDTH - ((x or 15) - 15), size * 0.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)


def guide_pdf(guide: Guide, campaign: Campaign, lang: str) -> bytes:
    """The case guide as a printable checklist: every phase and step, who does it, help contacts and sources."""

    def tr(key: str, **params: object) -> str:
        return i18n.translate(key, lang, **params)

    def loc(value: Text) -> str:
        return localize(value, campaign.help, lang)

    pdf = _document(loc(guide.title))
    _heading(pdf, loc(guide.title), size=17, color=INK)
    _para(pdf, loc(guide.summary), color=MUTED)
    _para(pdf, tr("guide.as_of", date=i18n.date(guide.as_of, lang)), size=8.5, color=MUTED)
    pdf.ln(3)
    for phase in guide.phases:
        _heading(pdf, loc(phase.title), size=14)
        for step in phase.steps:
            pdf.set_font(FAMILY, "B", 11.5)
            pdf.set_draw_color(*INK)
            y = pdf.get_y()
            pdf.rect(15, y + 0.6, 4, 4)
            pdf.set_x(21)
            critical = f"  [{tr('guide.critical')}]" if step.critical else ""
            pdf.multi_cell(WIDTH - 6, 5.5, loc(step.title) + critical, new_x="LMARGIN", new_y="NEXT")
            who = ", ".join(tr(f"guide.roles.{r}") for r in step.who)
            _para(pdf, f"{tr('guide.who')} {who}", size=9, color=MUTED, x=21)
            _para(pdf, _plain(loc(step.body)), size=10, x=21)
            contacts = []
            for key in step.help:
                entry = campaign.help.get(key)
                if entry is not None:
                    contact = " · ".join(v for v in (entry.phone, entry.text, entry.web) if v)
                    contacts.append(f"{entry.name.get(lang)}: {contact} ({entry.hours.get(lang)})")
            if contacts:
                _para(pdf, f"{tr('guide.help')}: " + "; ".join(contacts), size=9, x=21)
            _para(pdf, f"{tr('guide.sources')} " + "; ".join(step.cites), size=7.5, color=MUTED, x=21)
            pdf.ln(3)
    pdf.ln(2)
    _para(pdf, tr("guide.nothing_stored"), size=8.5, color=MUTED)
    return bytes(pdf.output())


# Why a follow-up is on the list, as its locale key (written out so the key check finds each one).
REASON_KEYS = {"critical": "report.reason_critical", "missed": "report.reason_missed", "late": "report.reason_late"}


def result_key(critical: bool, followed: bool) -> str:
    """The locale key of a decision's result in the report."""
    return "report.result_critical" if critical else "report.result_followed" if followed else "report.result_missed"


def duration(seconds: int, lang: str) -> str:
    """``754`` seconds as ``12분 34초`` or ``12 min 34 s``."""
    minutes, rest = divmod(max(seconds, 0), 60)
    return f"{minutes}분 {rest:02d}초" if lang == "ko" else f"{minutes} min {rest:02d} s"


def report_pdf(
    after: AfterAction, campaign: Campaign, lang: str, *, site_name: str, held_at: dt.datetime, participants: int, signed_in: int
) -> bytes:
    """The one-page after-action report: decisions against the guide, time per step, critical misses, follow-ups."""

    def tr(key: str, **params: object) -> str:
        return i18n.translate(key, lang, **params)

    def loc(value: Text) -> str:
        return localize(value, campaign.help, lang)

    drill = after.drill
    pdf = _document(f"{tr('report.title')} — {loc(drill.title)}")
    _para(pdf, f"SafeClass · {site_name}", size=9, color=MUTED)
    _heading(pdf, tr("report.title"), size=17, color=INK)
    _heading(pdf, loc(drill.title), size=12)
    when = i18n.date(held_at.astimezone(clock.SEOUL).date(), lang)
    _para(pdf, tr("report.meta", date=when, participants=participants, signed_in=signed_in), size=9.5, color=MUTED)
    pdf.ln(2)
    summary = [
        tr("report.followed", followed=after.followed, total=len(after.rows)),
        tr("report.critical", count=len(after.critical_misses)),
        tr("report.time", time=duration(after.total_seconds, lang)),
    ]
    _para(pdf, "   |   ".join(summary), size=10.5)
    pdf.ln(3)

    if after.critical_misses:
        _heading(pdf, tr("report.critical_misses"), size=12, color=DANGER)
        for row in after.critical_misses:
            _para(pdf, f"{loc(row.inject.title)}: {loc(row.option.text)}", size=9.5, color=DANGER)
            _para(pdf, f"{tr('drill.missed')} {loc(row.guide_option.text)}", size=9, x=21)
        pdf.ln(2)

    _heading(pdf, tr("report.decisions"), size=12)
    widths = (8, 34, 34, 70, 34)
    headings = ("report.col_n", "report.col_inject", "report.col_step", "report.col_decision", "report.col_time")
    pdf.set_font(FAMILY, "B", 8.5)
    pdf.set_fill_color(236, 240, 236)
    with pdf.table(col_widths=widths, line_height=4.6, text_align="LEFT", first_row_as_headings=True) as table:
        head = table.row()
        for key in headings:
            head.cell(tr(key))
        pdf.set_font(FAMILY, "", 8.5)
        for n, row in enumerate(after.rows, start=1):
            result = tr(result_key(row.critical, row.followed))
            late = f" · {tr('report.late')}" if row.late else ""
            line = table.row()
            line.cell(str(n))
            line.cell(loc(row.inject.title))
            line.cell(loc(row.step.title))
            line.cell(f"{loc(row.option.text)}\n({result})")
            line.cell(f"{duration(row.seconds, lang)} / {duration(row.limit_seconds, lang)}{late}")
    pdf.ln(4)

    _heading(pdf, tr("report.follow_ups"), size=12)
    if not after.follow_ups:
        _para(pdf, tr("report.no_follow_ups"), size=9.5)
    for follow in after.follow_ups:
        owner = tr(f"guide.roles.{follow.owner}")
        pdf.set_draw_color(*INK)
        pdf.rect(15, pdf.get_y() + 0.5, 3.5, 3.5)
        _para(pdf, f"{owner}: {loc(follow.task)} ({tr(REASON_KEYS[follow.reason])})", size=9.5, x=21)
    pdf.ln(3)
    _para(pdf, tr("report.kept"), size=8, color=MUTED)
    return bytes(pdf.output())
