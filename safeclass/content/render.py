"""Content text as it reaches a screen: help references (``{help:acosav}``) filled in, pictures made plain text."""

from __future__ import annotations

import re

from safeclass.content.models import HTML_IMAGE, MARKDOWN_IMAGE, HelpEntry, Text

_REF = re.compile(r"\{help:([a-z0-9][a-z0-9_-]*)(?:\.(name|phone|text|web|hours))?\}")


def fill_help(text: str, directory: dict[str, HelpEntry], lang: str) -> str:
    """Replace each help reference in ``text`` with the directory's entry, in ``lang``."""

    def one(match: re.Match[str]) -> str:
        entry = directory.get(match.group(1))
        if entry is None:  # the loader refuses such files; keep the text readable if one slips through
            return match.group(0)
        field = match.group(2)
        if field in ("name", "hours"):
            return getattr(entry, field).get(lang)
        if field is not None:
            return getattr(entry, field) or ""
        contact = entry.phone or entry.text or entry.web
        name = entry.name.get(lang)
        # Names such as "경찰 112" already carry the number; don't print it twice.
        return f"{name} ({contact})" if contact and contact not in name else name

    return _REF.sub(one, text)


def without_pictures(markdown: str) -> str:
    """``markdown`` that shows no picture: every image opener ``![`` escaped, every ``<img`` shown as text."""
    # The loader refuses pictures in text; this keeps one that slipped through (a help entry's phone or web
    # field, a model made without validation) from loading a URL in a child's browser. Escaping, not deleting,
    # leaves the text readable.
    escaped = MARKDOWN_IMAGE.sub(r"!\\[", markdown)
    return HTML_IMAGE.sub(lambda match: "&lt;" + match.group(0)[1:], escaped)


def localize(text: Text, directory: dict[str, HelpEntry], lang: str) -> str:
    """A bilingual text in ``lang`` with its help references filled in, as Markdown that shows no picture."""
    return without_pictures(fill_help(text.get(lang), directory, lang))


# Every ASCII character that starts Markdown structure in Streamlit (links, images, emphasis, code, headings,
# lists, tables, HTML, strikethrough, LaTeX with $): escaped with a backslash, which CommonMark allows for all.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:])")


def plain(value: object) -> str:
    """Data people typed (a site's name, a holder's name, a class label), shown as typed inside Markdown."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(value))
