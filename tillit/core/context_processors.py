from django.conf import settings


def tillit(request):
    """Values every page's frame needs; `organisation` and `access` are set by org views."""
    return {
        "LANGUAGE_CHOICES": settings.LANGUAGES,
        "organisation": getattr(request, "organisation", None),
        "access": getattr(request, "access", None),
    }
