"""Small template helpers shared by every app: one date format, keyboard-reachable tables."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import formats
from django.utils.html import format_html

register = template.Library()


@register.filter
def day(value: dt.date | str | None) -> str:
    """A date (or an ISO date string kept in JSON) in the page language's short date format."""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if not value:
        return ""
    return formats.date_format(value, "SHORT_DATE_FORMAT")


class ScrollRegionNode(template.Node):
    def __init__(self, nodelist: template.NodeList, label: template.base.FilterExpression):
        self.nodelist = nodelist
        self.label = label

    def render(self, context: template.Context) -> str:
        return format_html(
            '<div class="table-wrap" tabindex="0" role="region" aria-label="{}">{}</div>',
            self.label.resolve(context),
            self.nodelist.render(context),
        )


@register.tag
def scrollregion(parser: template.base.Parser, token: template.base.Token) -> ScrollRegionNode:
    """`{% scrollregion label %}<table>…</table>{% endscrollregion %}`: a wide table's scroll
    box that a keyboard can reach and scroll (axe's `scrollable-region-focusable`), named for a
    screen reader."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("scrollregion takes one argument: the region's label")
    nodelist = parser.parse(("endscrollregion",))
    parser.delete_first_token()
    return ScrollRegionNode(nodelist, parser.compile_filter(bits[1]))
