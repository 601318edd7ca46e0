"""The presenter screen: what the room sees on a projector, cut into pages that fit 1280×720.

It shows what participants may see (hidden contributions never; others' contributions and the
votes only once revealed), in large type. The facilitator turns its pages; a page holds as many
items as fit, counted in estimated lines, and a long text is shortened on the screen only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import segno
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tillit.workshop.models import WorkshopSession
from tillit.workshop.presenting import tool_context

# What one page of the board may hold, in lines of screen text (three columns of about twelve
# lines at the screen's type size, with room to spare for the estimate's errors).
PAGE_LINES = 30
# Characters of a line in a column (the narrowest: with the join code beside the board).
LINE_CHARS = 24
# A text longer than this is shortened on the screen (never in what is stored).
TEXT_CHARS = 140
HEADING_LINES = 2


@dataclass
class Group:
    """A heading (theme, quadrant, column) and the texts under it on one page."""

    title: str
    items: list[dict] = field(default_factory=list)


def _lines(text: str) -> int:
    return 1 + len(text) // LINE_CHARS


def _item(text: str, note: str = "") -> dict:
    return {"text": Truncator(text).chars(TEXT_CHARS), "note": note}


def _groups(t: dict) -> list[Group]:
    """The current tool's visible contributions as headed groups, in screen order."""
    kind = t["type"]
    if kind == "brainstorm":
        groups = [Group(th.title, [_item(n.text) for n in th.members]) for th in t["themes"]]
        unsorted = [_item(n.text) for n in t["unsorted"]]
        if unsorted:
            groups.append(Group(_("Not yet grouped") if groups else "", unsorted))
        return groups
    if kind == "dialogue_cards":
        return [Group("", [_item(a.text) for a in t["answers"]])]
    if kind == "swot":
        return [
            Group(str(q["label"]), [_item(n.text, _dots(n.dots)) for n in q["notes"]])
            for q in t["quadrants"]
        ]
    if kind == "retro":
        return [Group(str(c["label"]), [_item(i.text) for i in c["items"]]) for c in t["columns"]]
    if kind in ("glossary", "game_rules"):
        return [
            Group("", [_item(p.text, _tally(p)) for p in t["proposals"]]),
        ]
    if kind == "dilemma_line":
        sides = (
            (_("Towards “%(pole)s”") % {"pole": t["left"]}, t["left_comments"]),
            (_("In the middle"), t["middle_comments"]),
            (_("Towards “%(pole)s”") % {"pole": t["right"]}, t["right_comments"]),
        )
        return [Group(title, [_item(c.text) for c in comments]) for title, comments in sides]
    if kind == "dot_voting":
        return [Group("", [_item(str(r["label"]), _dots(r["dots"])) for r in t["rows"]])]
    return []


def _dots(n: int) -> str:
    return ngettext("%(n)s dot", "%(n)s dots", n) % {"n": n}


def _tally(proposal) -> str:
    return _("Agree: %(a)s · Can live with it: %(l)s · Object: %(o)s") % {
        "a": proposal.agree,
        "l": proposal.live_with,
        "o": proposal.objections,
    }


def paginate(groups: list[Group]) -> list[list[Group]]:
    """Groups cut into pages of at most PAGE_LINES estimated lines; a group split over two
    pages keeps its heading on both."""
    pages: list[list[Group]] = [[]]
    used = 0
    for group in groups:
        if not group.items:
            continue
        current = None
        for item in group.items:
            cost = _lines(item["text"]) + (1 if item["note"] else 0)
            heading = HEADING_LINES if current is None and group.title else 0
            if used + cost + heading > PAGE_LINES and used:
                pages.append([])
                used, current = 0, None
                heading = HEADING_LINES if group.title else 0
            if current is None:
                current = Group(group.title)
                pages[-1].append(current)
                used += heading
            current.items.append(item)
            used += cost
    return pages


def screen_context(session: WorkshopSession, language: str) -> dict:
    """The presenter screen's current tool and page, as the room may see it."""
    t = tool_context(session, language)
    if not t.get("tool"):
        return {"t": t, "pages_n": 1, "page": 0, "groups": []}
    # Tools that reveal show their contributions and votes only once revealed.
    visible = t["revealed"]
    pages = paginate(_groups(t)) if visible else [[]]
    page = min(session.screen_page, len(pages) - 1)
    return {
        "t": t,
        "visible": visible,
        "groups": pages[page],
        "page": page,
        "page_number": page + 1,
        "pages_n": len(pages),
    }


def pages_of(session: WorkshopSession, language: str) -> int:
    """How many pages the presenter screen has for the current tool."""
    return screen_context(session, language)["pages_n"]


def qr_svg(url: str) -> SafeString:
    """The join link as an inline SVG QR code, made on the server."""
    # segno writes only elements and presentation attributes (no inline style), so the CSP holds.
    qr = segno.make(url, error="m").svg_inline(
        scale=5, omitsize=True, title=_("QR code to join the workshop")
    )
    return mark_safe(qr)  # noqa: S308
