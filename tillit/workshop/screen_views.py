"""The presenter screen's pages and the event streams of the live pages (see live.py)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language

from tillit.org.access import org_view
from tillit.workshop import live
from tillit.workshop.screen import qr_svg, screen_context
from tillit.workshop.views import _cookie, _participant, _session


def room_events(request: HttpRequest, code: str) -> HttpResponse:
    """Server-sent events carrying a participant's new live region when the session changed."""
    session, participant = _participant(request, code)
    if participant is None:
        raise PermissionDenied
    # The region goes out in the event itself, made from parts cached per version (live.py):
    # a change costs no request per phone, and 500 phones cost one read of the database.
    token = request.COOKIES.get(_cookie(session), "")
    csrf_token = get_token(request)
    shown_tool, shown_item = request.GET.get("t", ""), request.GET.get("i", "0")

    def region(changed) -> str | None:
        if live.page_is_stale(changed, shown_tool, shown_item):
            return live.RELOAD  # another tool or dilemma: the page reloads
        return live.phone_region(changed, participant, token, csrf_token)

    return live.event_response(session.pk, request.GET.get("v", ""), region)


def _screen_context(request, session) -> dict:
    url = request.build_absolute_uri(reverse("workshop:join_code", args=[session.code]))
    return {
        "session": session,
        "programme": session.step.programme,
        **screen_context(session, get_language()),
        "join_base": request.build_absolute_uri(reverse("workshop:join")),
        "qr": qr_svg(url) if session.show_code else "",
        "participants_n": session.participants.count(),
    }


@org_view()
def screen(request: HttpRequest, session_id: int) -> HttpResponse:
    """The presenter screen for the projector: no menu, no buttons, large type."""
    session = _session(request, session_id)
    return render(request, "workshop/screen.html", _screen_context(request, session))


@org_view()
def screen_live(request: HttpRequest, session_id: int) -> HttpResponse:
    """The presenter screen's live region, 204 while unchanged."""
    session = _session(request, session_id)
    if request.GET.get("v") == str(session.version):
        return HttpResponse(status=204)
    return render(request, "workshop/_screen_live.html", _screen_context(request, session))


@org_view()
def screen_events(request: HttpRequest, session_id: int) -> HttpResponse:
    """Server-sent events for the presenter screen and the facilitator's page."""
    session = _session(request, session_id)
    return live.event_response(session.pk, request.GET.get("v", ""))
