"""Printable PDFs: principals' certificates, class join slips and one-time password sheets.

Every PDF embeds (a subset of) the NanumSquare fonts shipped in ``safeclass/assets/fonts`` (SIL OFL 1.1),
so Korean prints on any machine without system fonts. Texts come from the UI locales, Korean first with
English beneath: a certificate or slip is read by people of either language whatever the screen showed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import segno
from fpdf import FPDF

from safeclass import i18n

FONTS = Path(__file__).resolve().parent / "assets" / "fonts"
FAMILY = "NanumSquare"
INK = (31, 41, 55)
MUTED = (90, 98, 112)
ACCENT = (20, 83, 45)
RGB = tuple[int, int, int]


@dataclass(frozen=True)
class CertificateSheet:
    """What a certificate PDF prints."""

    holder_name: str
    site_name: str
    site_code: str
    campaign_title_ko: str
    campaign_title_en: str
    issued_on: dt.date
    expires_on: dt.date
    code: str
    verify_url: str
    modules: int
    content_version: str


@dataclass(frozen=True)
class JoinSlip:
    """What one class's join slip prints."""

    site_name: str
    label: str
    level: str
    grade: int | None
    join_code: str
    expires_on: dt.date | None
    join_url: str


@dataclass(frozen=True)
class PasswordSheet:
    """What a new staff member's one-time password sheet prints."""

    site_name: str
    display_name: str
    username: str
    one_time_password: str
    sign_in_url: str


def _document(orientation: str = "portrait") -> FPDF:
    pdf = FPDF(orientation=orientation, unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_font(FAMILY, "", FONTS / "NanumSquareR.ttf")
    pdf.add_font(FAMILY, "B", FONTS / "NanumSquareB.ttf")
    pdf.set_creator("SafeClass")
    pdf.set_text_color(*INK)
    return pdf


def _ko(key: str, **params: object) -> str:
    return i18n.translate(key, "ko", **params)


def _en(key: str, **params: object) -> str:
    return i18n.translate(key, "en", **params)


def _qr(pdf: FPDF, data: str, x: float, y: float, size: float) -> None:
    """Draw ``data`` as a vector QR code (dark runs as rectangles) in a ``size`` mm square at (x, y)."""
    qr = segno.make(data, error="m", micro=False)
    rows = [list(row) for row in qr.matrix]
    cell = size / len(rows)
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(rows):
        c = 0
        while c < len(row):
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                pdf.rect(x + start * cell, y + r * cell, (c - start) * cell, cell, style="F")
            else:
                c += 1


def _centered(
    pdf: FPDF, x: float, y: float, width: float, height: float, text: str, size: float, *, bold: bool = False, color: RGB | None = None
) -> None:
    """One centred line at (x, y); ``color`` None keeps the colour already set."""
    pdf.set_xy(x, y)
    pdf.set_font(FAMILY, "B" if bold else "", size)
    if color is not None:
        pdf.set_text_color(*color)
    pdf.cell(width, height, text, align="C")


def _label_value(pdf: FPDF, x: float, y: float, width: float, key: str, value: str, size: float = 15) -> None:
    pdf.set_xy(x, y)
    pdf.set_font(FAMILY, "", 9)
    pdf.set_text_color(*MUTED)
    pdf.cell(width, 5, f"{_ko(key)} · {_en(key)}")
    pdf.set_xy(x, y + 5.5)
    pdf.set_font(FAMILY, "B", size)
    pdf.set_text_color(*INK)
    pdf.multi_cell(width, size * 0.45, value)


def group_code(code: str, size: int = 4) -> str:
    """A code in dash-separated groups, as printed and read aloud (ABCD-EFGH-…)."""
    return "-".join(code[i : i + size] for i in range(0, len(code), size))


def certificate_pdf(sheet: CertificateSheet) -> bytes:
    """A one-page A4 landscape certificate with the holder, site, campaign, dates, code and a QR to the verify page."""
    pdf = _document("landscape")
    pdf.set_title(_en("certificate.pdf_title"))
    pdf.add_page()
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, 277, 190)
    pdf.set_line_width(0.3)
    pdf.rect(13, 13, 271, 184)

    _centered(pdf, 20, 22, 257, 5, f"SafeClass · {sheet.campaign_title_ko}", 10, color=MUTED)
    _centered(pdf, 20, 33, 257, 12, _ko("certificate.pdf_title"), 26, bold=True, color=ACCENT)
    _centered(pdf, 20, 46, 257, 7, _en("certificate.pdf_title"), 13)

    _centered(pdf, 20, 60, 257, 14, sheet.holder_name, 30, bold=True, color=INK)
    pdf.set_xy(35, 78)
    pdf.set_font(FAMILY, "", 12)
    pdf.multi_cell(227, 6.5, _ko("certificate.pdf_statement", modules=sheet.modules), align="C")
    pdf.set_x(35)
    pdf.set_font(FAMILY, "", 10)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(227, 5, _en("certificate.pdf_statement", modules=sheet.modules), align="C")

    left, top, column = 28, 112, 85
    _label_value(pdf, left, top, column * 2, "certificate.site", f"{sheet.site_name} ({sheet.site_code})")
    _label_value(pdf, left, top + 19, column * 2, "certificate.campaign", f"{sheet.campaign_title_ko}\n{sheet.campaign_title_en}", size=11)
    _label_value(pdf, left, top + 43, column, "certificate.issued_on", i18n.date(sheet.issued_on, "ko"))
    _label_value(pdf, left + column, top + 43, column, "certificate.expires_on", i18n.date(sheet.expires_on, "ko"))
    _label_value(pdf, left, top + 62, column * 2, "certificate.code", group_code(sheet.code), size=17)

    qr_size = 52
    qr_x, qr_y = 287 - 30 - qr_size, 112
    _qr(pdf, sheet.verify_url, qr_x, qr_y, qr_size)
    pdf.set_xy(qr_x - 14, qr_y + qr_size + 2)
    pdf.set_font(FAMILY, "", 8.5)
    pdf.set_text_color(*MUTED)
    width = qr_size + 28
    pdf.multi_cell(width, 4.2, f"{_ko('certificate.pdf_scan')}\n{_en('certificate.pdf_scan')}", align="C")
    # The address on one line, shrunk to fit: wrapped at whatever character fills the line, the code's last
    # letter would stand alone below and be missed by someone typing it in.
    size = 8.5
    while size > 5 and pdf.get_string_width(sheet.verify_url) > width - 2:
        size -= 0.5
        pdf.set_font(FAMILY, "", size)
    url = sheet.verify_url if pdf.get_string_width(sheet.verify_url) <= width - 2 else sheet.verify_url.replace("?", "\n?", 1)
    pdf.set_x(qr_x - 14)
    pdf.multi_cell(width, 4.2, url, align="C")
    _centered(pdf, 20, 188, 257, 4, _en("certificate.pdf_version", version=sheet.content_version), 7.5)
    return bytes(pdf.output())


def join_slips_pdf(slips: list[JoinSlip]) -> bytes:
    """One A4 page per class: its code in large type and the joining steps in Korean (English beneath)."""
    pdf = _document()
    pdf.set_title(_en("seats.slip_title"))
    for slip in slips:
        pdf.add_page()
        _centered(pdf, 15, 18, 180, 6, f"SafeClass · {slip.site_name}", 11, color=MUTED)
        grade = _ko("seats.slip_grade", grade=slip.grade) + " · " if slip.grade else ""
        _centered(pdf, 15, 28, 180, 12, f"{grade}{slip.label}", 24, bold=True, color=INK)
        _centered(pdf, 15, 42, 180, 7, f"{_ko('seats.slip_title')} · {_en('seats.slip_title')}", 12)

        pdf.set_draw_color(*ACCENT)
        pdf.set_line_width(0.8)
        pdf.rect(30, 56, 150, 46)
        _centered(pdf, 30, 59, 150, 6, f"{_ko('seats.join_code')} · {_en('seats.join_code')}", 11, color=MUTED)
        _centered(pdf, 30, 68, 150, 28, group_code(slip.join_code, 3), 58, bold=True, color=INK)

        y = 112
        for number in range(1, 6):
            pdf.set_xy(22, y)
            pdf.set_font(FAMILY, "B", 13)
            pdf.set_text_color(*ACCENT)
            pdf.cell(10, 7, f"{number}.")
            pdf.set_xy(32, y)
            pdf.set_font(FAMILY, "B", 13)
            pdf.set_text_color(*INK)
            pdf.multi_cell(156, 6.5, _ko(f"seats.slip_step{number}", url=slip.join_url), align="L")
            pdf.set_x(32)
            pdf.set_font(FAMILY, "", 9.5)
            pdf.set_text_color(*MUTED)
            pdf.multi_cell(156, 4.8, _en(f"seats.slip_step{number}", url=slip.join_url), align="L")
            y = pdf.get_y() + 4
        _qr(pdf, slip.join_url, 85, y + 2, 40)
        pdf.set_xy(15, y + 45)
        pdf.set_font(FAMILY, "", 9.5)
        pdf.set_text_color(*MUTED)
        lines = [slip.join_url]
        if slip.expires_on is not None:
            ko, en = _ko("seats.slip_expires", date=i18n.date(slip.expires_on, "ko")), _en("seats.slip_expires", date=slip.expires_on)
            lines.append(f"{ko} · {en}")
        lines.append(f"{_ko('seats.slip_privacy')}  {_en('seats.slip_privacy')}")
        pdf.multi_cell(180, 5, "\n".join(lines), align="C")
    return bytes(pdf.output())


def password_sheet_pdf(sheet: PasswordSheet) -> bytes:
    """A one-page sheet handing a new staff member their username and one-time password."""
    pdf = _document()
    pdf.set_title(_en("staff.sheet_title"))
    pdf.add_page()
    _centered(pdf, 15, 20, 180, 6, f"SafeClass · {sheet.site_name}", 11, color=MUTED)
    _centered(pdf, 15, 30, 180, 11, _ko("staff.sheet_title"), 22, bold=True, color=INK)
    _centered(pdf, 15, 42, 180, 7, _en("staff.sheet_title"), 12)
    _label_value(pdf, 30, 60, 150, "staff.name", sheet.display_name, size=16)
    _label_value(pdf, 30, 80, 150, "staff.username", sheet.username, size=18)
    _label_value(pdf, 30, 100, 150, "staff.one_time_password", sheet.one_time_password, size=22)
    pdf.set_xy(30, 128)
    pdf.set_font(FAMILY, "", 12)
    pdf.set_text_color(*INK)
    pdf.multi_cell(150, 6.5, _ko("staff.sheet_steps", url=sheet.sign_in_url), align="L")
    pdf.set_x(30)
    pdf.set_font(FAMILY, "", 9.5)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(150, 5, _en("staff.sheet_steps", url=sheet.sign_in_url), align="L")
    return bytes(pdf.output())
