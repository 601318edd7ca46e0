"""Template helpers for programme pages."""

from django import template

from tillit.programmes.models import text_for

register = template.Library()


@register.filter
def in_lang(texts: dict, language: str) -> str:
    """`{{ definition.title|in_lang:lang }}`: a text per language in one language."""
    return text_for(texts, language)
