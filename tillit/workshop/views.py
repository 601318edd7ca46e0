"""Workshop pages: joining and taking part on a phone (no account), and the facilitator's view.

Participant writes answer a plain form POST with a redirect (works without JavaScript) and a
fetch from `workshop.js` (header X-Workshop-Fetch) with 204, so the offline queue can resend.
The live regions poll with the version they show: unchanged → 204 and htmx leaves the page be.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tillit.core.throttle import client_address
from tillit.org.access import org_view
from tillit.programmes import rights
from tillit.programmes.models import Artefact, Programme, ProgrammeStep, text_for
from tillit.workshop import actions, contributing, live, outcomes
from tillit.workshop.forms import JoinForm
from tillit.workshop.models import Contribution, Theme, WorkshopSession
from tillit.workshop.presenting import tool_context, tool_list, tool_title
from tillit.workshop.screen import pages_of, qr_svg, screen_context
from tillit.workshop.tools import live_tools_of

COOKIE_AGE = 12 * 3600


# What participants and facilitators are told when the rules refuse a write.
def _refusal(error: actions.WorkshopError) -> str:
    return {
        "closed": _("This workshop is closed."),
        "moved on": _("The facilitator has moved on to another tool; the page is updated."),
        "empty": _("Write something first."),
        "no dots left": _("You have no dots left. Take one back to move it."),
        "reason": _("Please give a reason for your objection."),
        "quadrant": _("Choose a square."),
        "column": _("Choose a column."),
        "poles": _("Write both poles of the dilemma."),
        "merge": _("These notes cannot be merged."),
    }.get(str(error), _("That is not possible right now."))


def _cookie(session: WorkshopSession) -> str:
    return f"tillit_ws_{session.pk}"


# --- participants ------------------------------------------------------------------------


def _too_many_codes(request: HttpRequest) -> HttpResponse:
    """The join page, refusing to look up more codes from this client for a while."""
    refusal = _("Too many codes were tried from here. Wait ten minutes and try again.")
    return render(
        request,
        "workshop/join.html",
        {"form": JoinForm(), "asks_name": True, "refusal": refusal},
        status=429,
    )


def join(request: HttpRequest, code: str = "") -> HttpResponse:
    """Type the code (or arrive from the QR), optionally a name, and join."""
    address = client_address(request)
    typed = request.POST.get("code") or code
    if typed and not actions.may_try_code(address):
        return _too_many_codes(request)
    form = JoinForm(request.POST or None, initial={"code": code})
    session = actions.open_session_by_code(typed) if typed else None
    if typed and session is None:
        actions.record_code_miss(address)
    if session is not None and actions.participant_for(
        session, request.COOKIES.get(_cookie(session))
    ):
        return redirect("workshop:room", session.code)
    if request.method == "POST" and form.is_valid():
        session = actions.open_session_by_code(form.cleaned_data["code"])
        if session is None:
            form.add_error(
                "code", _("No open workshop has this code. Check it with the facilitator.")
            )
        else:
            _participant, token = actions.do_join(
                session, form.cleaned_data.get("name", ""), get_language()
            )
            response = redirect("workshop:room", session.code)
            response.set_cookie(
                _cookie(session),
                token,
                max_age=COOKIE_AGE,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
            return response
    if code and session is None and request.method == "GET":
        form.add_error(None, _("No open workshop has this code. Check it with the facilitator."))
    return render(
        request,
        "workshop/join.html",
        {"form": form, "asks_name": session is None or session.any_named},
    )


def _participant(request: HttpRequest, code: str):
    session = get_object_or_404(
        WorkshopSession.objects.select_related("step__programme"), code=code.upper(), status="open"
    )
    participant = actions.participant_for(session, request.COOKIES.get(_cookie(session)))
    return session, participant


def room(request: HttpRequest, code: str) -> HttpResponse:
    """A participant's page: the current tool and what they can do in it."""
    address = client_address(request)
    if not actions.may_try_code(address):
        return _too_many_codes(request)
    if not WorkshopSession.objects.filter(code=code.upper(), status="open").exists():
        # A closed code answers as an unknown one (no telling which codes were used), except
        # to a phone that took part: it is told the workshop is over.
        closed = WorkshopSession.objects.filter(code=code.upper()).first()
        if closed is not None and actions.participant_for(
            closed, request.COOKIES.get(_cookie(closed))
        ):
            return render(request, "workshop/closed.html")
        actions.record_code_miss(address)
        raise Http404
    session, participant = _participant(request, code)
    if participant is None:
        return redirect("workshop:join_code", session.code)
    with translation.override(participant.language):
        return render(
            request,
            "workshop/room.html",
            {**_room_context(request, session, participant), "new_key": uuid.uuid4()},
        )


def _room_context(request, session, participant) -> dict:
    token = request.COOKIES.get(_cookie(session), "")
    return {
        "session": session,
        "participant": participant,
        "t": live.phone_context(session, participant, token),
        "language": participant.language,
    }


def room_live(request: HttpRequest, code: str) -> HttpResponse:
    """The participant's live region; 204 while nothing changed, a full reload on a new tool
    or dilemma."""
    # Two indexed reads per poll: the session's row (without its programme: the region's
    # parts are cached per version, live.py) and the phone's participant.
    session = WorkshopSession.objects.filter(code=code.upper(), status="open").first()
    if session is None:
        return _reload()
    if request.GET.get("v") == str(session.version):
        return HttpResponse(status=204)
    if live.page_is_stale(session, request.GET.get("t", ""), request.GET.get("i", "0")):
        return _reload()
    token = request.COOKIES.get(_cookie(session), "")
    participant = actions.participant_for(session, token)
    if participant is None:
        return _reload()
    return HttpResponse(live.phone_region(session, participant, token, get_token(request)))


def _reload() -> HttpResponse:
    response = HttpResponse(status=204)
    response["HX-Refresh"] = "true"
    return response


def _done(request: HttpRequest, session, error: str | None = None) -> HttpResponse:
    """After a participant's write: 204/400 to the offline script, else back to the page."""
    if request.headers.get("X-Workshop-Fetch"):
        return HttpResponse(error or "", status=400 if error else 204, content_type="text/plain")
    if error:
        messages.error(request, error)
    return redirect("workshop:room", session.code)


@require_POST
def post(request: HttpRequest, code: str) -> HttpResponse:
    """Post a note, answer, term, rule or retro item (idempotent by its key)."""
    session, participant = _participant(request, code)
    if participant is None:
        raise PermissionDenied
    with translation.override(participant.language):
        try:
            key = uuid.UUID(request.POST.get("key", ""))
            tool = int(request.POST.get("tool", -1))
        except ValueError:
            return _done(request, session, _("That is not possible right now."))
        extra = {k: request.POST.get(k, "") for k in ("quadrant", "column", "definition")}
        try:
            token = request.COOKIES.get(_cookie(session), "")
            contributing.do_post_contribution(
                session,
                participant,
                tool,
                contributing.Post(key, request.POST.get("text", ""), extra, token),
            )
        except actions.WorkshopError as error:
            return _done(request, session, _refusal(error))
        return _done(request, session)


@require_POST
def position(request: HttpRequest, code: str) -> HttpResponse:
    """Set the participant's place on the dilemma line, with an optional comment."""
    session, participant = _participant(request, code)
    if participant is None:
        raise PermissionDenied
    with translation.override(participant.language):
        try:
            value = int(request.POST.get("position", ""))
            contributing.do_set_position(
                session,
                participant,
                int(request.POST.get("tool", -1)),
                value,
                request.POST.get("text", ""),
                request.COOKIES.get(_cookie(session), ""),
            )
        except ValueError as error:
            message = _refusal(error) if isinstance(error, actions.WorkshopError) else None
            return _done(request, session, message or _("That is not possible right now."))
        return _done(request, session)


@require_POST
def vote(request: HttpRequest, code: str) -> HttpResponse:
    """Place or take back a dot on a theme, artefact or SWOT note."""
    session, participant = _participant(request, code)
    if participant is None:
        raise PermissionDenied
    with translation.override(participant.language):
        try:
            tool = int(request.POST.get("tool", -1))
            target = _vote_target(session, request.POST.get("target", ""))
            contributing.do_vote(
                session, participant, tool, target, int(request.POST.get("delta", 1))
            )
        except (ValueError, LookupError) as error:
            message = _refusal(error) if isinstance(error, actions.WorkshopError) else None
            if request.htmx:
                messages.error(request, message or _("That is not possible right now."))
            else:
                return _done(request, session, message or _("That is not possible right now."))
        if request.htmx:
            session.refresh_from_db()
            return render(
                request, "workshop/_room_live.html", _room_context(request, session, participant)
            )
        return _done(request, session)


def _vote_target(session: WorkshopSession, value: str):
    kind, _sep, pk = value.partition(":")
    model = {"theme": Theme, "artefact": Artefact, "contribution": Contribution}[kind]
    if model is Artefact:
        return Artefact.objects.get(pk=int(pk), programme=session.step.programme)
    return model.objects.get(pk=int(pk), session=session)


@require_POST
def consent(request: HttpRequest, code: str, contribution_id: int) -> HttpResponse:
    """Answer the agreement or consent round on a term or rule."""
    session, participant = _participant(request, code)
    if participant is None:
        raise PermissionDenied
    proposal = get_object_or_404(Contribution, pk=contribution_id, session=session, hidden=False)
    with translation.override(participant.language):
        try:
            contributing.do_consent(
                participant,
                proposal,
                request.POST.get("answer", ""),
                request.POST.get("reason", ""),
            )
        except actions.WorkshopError as error:
            return _done(request, session, _refusal(error))
        return _done(request, session)


@require_POST
def rename(request: HttpRequest, code: str) -> HttpResponse:
    """Give or change the name shown with contributions to named tools."""
    session, participant = _participant(request, code)
    if participant is None:
        raise PermissionDenied
    actions.do_set_name(participant, request.POST.get("name", ""))
    return _done(request, session)


@require_POST
def edit(request: HttpRequest, code: str, contribution_id: int) -> HttpResponse:
    """A participant edits their own contribution to a named tool, from the version they saw."""
    session, participant = _participant(request, code)
    if participant is None:
        raise PermissionDenied
    contribution = get_object_or_404(
        Contribution, pk=contribution_id, session=session, author=participant
    )
    return _versioned_edit(request, contribution, lambda: redirect("workshop:room", session.code))


def _versioned_edit(request, contribution, back) -> HttpResponse:
    try:
        contributing.do_edit_contribution(
            contribution,
            request.POST.get("text", ""),
            int(request.POST.get("version", 0)),
            {"definition": request.POST["definition"]} if "definition" in request.POST else None,
        )
    except actions.StaleEdit:
        return _conflict(request)
    except actions.WorkshopError as error:
        messages.error(request, _refusal(error))
    return back()


def _conflict(request: HttpRequest) -> HttpResponse:
    """409: someone saved first. htmx reloads the page; a plain form gets a page saying so."""
    response = render(request, "workshop/conflict.html", status=409)
    response["HX-Refresh"] = "true"
    return response


# --- facilitators --------------------------------------------------------------------------


def _programme(request: HttpRequest, programme_id: int) -> Programme:
    """The programme if the user may steer it: 404 if they may not even see it, 403 if not steer."""
    programme = get_object_or_404(Programme, pk=programme_id, organisation=request.organisation)
    email = request.user.email
    if not rights.can_view(request.access, email, programme):
        raise Http404
    if not rights.can_steer(request.access, email, programme):
        raise PermissionDenied
    return programme


def _session(request: HttpRequest, session_id: int) -> WorkshopSession:
    session = get_object_or_404(
        WorkshopSession.objects.select_related("step__programme"),
        pk=session_id,
        step__programme__organisation=request.organisation,
    )
    _programme(request, session.step.programme_id)
    return session


@org_view()
def programme_workshops(request: HttpRequest, programme_id: int) -> HttpResponse:
    """The programme's steps with their live tools, to start a session from, and past sessions."""
    programme = _programme(request, programme_id)
    language = get_language()
    steps = [
        {
            "step": step,
            "title": text_for(step.definition.get("title"), language),
            "tools": [tool_title(t, language) for t in live_tools_of(step.definition)],
            "sessions": list(step.workshops.all()),
        }
        for step in programme.steps.all()
    ]
    return render(request, "workshop/programme.html", {"programme": programme, "steps": steps})


@org_view()
@require_POST
def start(request: HttpRequest, programme_id: int, step_id: str) -> HttpResponse:
    """Open a live session of a step."""
    programme = _programme(request, programme_id)
    step = get_object_or_404(ProgrammeStep, programme=programme, step_id=step_id)
    try:
        session = actions.do_start_session(step, request.user)
    except actions.WorkshopError:
        messages.error(request, _("This step has no live tools."))
        return redirect("workshop:programme", request.organisation.slug, programme.pk)
    return redirect("workshop:facilitate", request.organisation.slug, session.pk)


def _facilitator_context(request, session) -> dict:
    language = get_language()
    url = request.build_absolute_uri(reverse("workshop:join_code", args=[session.code]))
    return {
        "session": session,
        "programme": session.step.programme,
        "t": tool_context(session, language, facilitator=True),
        "tools": tool_list(session, language),
        "join_url": url,
        "join_base": request.build_absolute_uri(reverse("workshop:join")),
        "participants_n": session.participants.count(),
        "screen": screen_context(session, language),
    }


@org_view()
def facilitate(request: HttpRequest, session_id: int) -> HttpResponse:
    """The facilitator's view: code and QR, the current tool live, and the controls."""
    session = _session(request, session_id)
    context = _facilitator_context(request, session)
    return render(
        request, "workshop/facilitate.html", {**context, "qr": qr_svg(context["join_url"])}
    )


@org_view()
def facilitate_live(request: HttpRequest, session_id: int) -> HttpResponse:
    """The facilitator's live region, 204 while unchanged."""
    session = _session(request, session_id)
    if request.GET.get("v") == str(session.version):
        return HttpResponse(status=204)
    if request.GET.get("t") != str(session.current):
        return _reload()
    return render(request, "workshop/_facilitate_live.html", _facilitator_context(request, session))


def _back(request, session) -> HttpResponse:
    if request.htmx:
        session.refresh_from_db()
        return render(
            request, "workshop/_facilitate_live.html", _facilitator_context(request, session)
        )
    return redirect("workshop:facilitate", request.organisation.slug, session.pk)


@org_view()
@require_POST
def control(request: HttpRequest, session_id: int) -> HttpResponse:
    """Reveal, hide, move between tools and cards, add a dilemma, store priorities, close."""
    session = _session(request, session_id)
    do = request.POST.get("do")
    try:
        if do in ("reveal", "conceal"):
            actions.do_reveal(session, do == "reveal")
        elif do in ("next", "previous"):
            actions.do_next_tool(session, 1 if do == "next" else -1)
        elif do in ("page_next", "page_previous"):
            pages = pages_of(session, get_language())
            actions.do_turn_page(session, 1 if do == "page_next" else -1, pages)
        elif do in ("show_code", "hide_code"):
            actions.do_show_code(session, do == "show_code")
        elif do == "item":
            actions.do_show_item(session, int(request.POST.get("item", -1)))
        elif do == "dilemma":
            actions.do_add_dilemma(
                session, request.POST.get("left", ""), request.POST.get("right", "")
            )
        elif do == "priorities":
            stored = outcomes.do_store_priorities(session, session.current, request.user)
            n = len(stored)
            messages.success(
                request,
                ngettext(
                    "Priorities stored on %(n)s artefact.",
                    "Priorities stored on %(n)s artefacts.",
                    n,
                )
                % {"n": n},
            )
        elif do == "close":
            made = outcomes.do_close_session(session, request.user)
            messages.success(request, _closing_message(outcomes.saved_by(session, made)))
            return redirect(
                "workshop:programme", request.organisation.slug, session.step.programme_id
            )
        else:
            raise actions.WorkshopError(do)
    except (actions.WorkshopError, ValueError) as error:
        messages.error(
            request,
            _refusal(error)
            if isinstance(error, actions.WorkshopError)
            else _("That is not possible right now."),
        )
    return redirect("workshop:facilitate", request.organisation.slug, session.pk)


def _contribution(session, contribution_id) -> Contribution:
    return get_object_or_404(Contribution, pk=contribution_id, session=session)


@org_view()
@require_POST
def hide(request: HttpRequest, session_id: int, contribution_id: int) -> HttpResponse:
    """Moderation: hide a contribution from participants (or show it again)."""
    session = _session(request, session_id)
    actions.do_hide(_contribution(session, contribution_id), request.POST.get("hidden") != "0")
    return _back(request, session)


@org_view()
@require_POST
def theme_add(request: HttpRequest, session_id: int) -> HttpResponse:
    """Add a theme to the current board."""
    session = _session(request, session_id)
    try:
        outcomes.do_create_theme(session, session.current, request.POST.get("title", ""))
    except actions.WorkshopError as error:
        messages.error(request, _refusal(error))
    return _back(request, session)


@org_view()
@require_POST
def move(request: HttpRequest, session_id: int, contribution_id: int) -> HttpResponse:
    """Move a note into a theme (the keyboard path; drag and drop posts here too)."""
    session = _session(request, session_id)
    note = _contribution(session, contribution_id)
    theme_id = request.POST.get("theme", "")
    theme = get_object_or_404(Theme, pk=theme_id, session=session) if theme_id else None
    try:
        outcomes.do_move_to_theme(note, theme)
    except actions.WorkshopError as error:
        messages.error(request, _refusal(error))
    return _back(request, session)


@org_view()
@require_POST
def merge(request: HttpRequest, session_id: int, contribution_id: int) -> HttpResponse:
    """Merge a duplicate note into another."""
    session = _session(request, session_id)
    duplicate = _contribution(session, contribution_id)
    try:
        into = _contribution(session, int(request.POST.get("into", 0)))
        outcomes.do_merge(duplicate, into)
    except (actions.WorkshopError, ValueError) as error:
        messages.error(request, _refusal(actions.WorkshopError("merge")))
        del error
    return _back(request, session)


@org_view()
@require_POST
def theme_rename(request: HttpRequest, session_id: int, theme_id: int) -> HttpResponse:
    """Rename a theme from the version the facilitator saw (409 if someone renamed it first)."""
    session = _session(request, session_id)
    theme = get_object_or_404(Theme, pk=theme_id, session=session)
    try:
        outcomes.do_rename_theme(
            theme, request.POST.get("title", ""), int(request.POST.get("version", 0))
        )
    except actions.StaleEdit:
        return _conflict(request)
    except (actions.WorkshopError, ValueError):
        messages.error(request, _refusal(actions.WorkshopError("empty")))
    return _back(request, session)


@org_view()
@require_POST
def contribution_edit(request: HttpRequest, session_id: int, contribution_id: int) -> HttpResponse:
    """The facilitator corrects a contribution, from the version they saw."""
    session = _session(request, session_id)
    contribution = _contribution(session, contribution_id)
    return _versioned_edit(request, contribution, lambda: _back(request, session))


@org_view()
@require_POST
def theme_artefact(request: HttpRequest, session_id: int, theme_id: int) -> HttpResponse:
    """Turn a theme into a challenge, solution or lesson of the programme."""
    session = _session(request, session_id)
    theme = get_object_or_404(Theme, pk=theme_id, session=session)
    try:
        artefact = outcomes.do_theme_to_artefact(theme, request.POST.get("kind", ""), request.user)
    except actions.WorkshopError as error:
        messages.error(request, _refusal(error))
    else:
        messages.success(request, _("Recorded: %(title)s") % {"title": artefact.title})
    return _back(request, session)


def _closing_message(saved: outcomes.Saved) -> str:
    """What the session stored, counted: contributions, participants, artefacts."""
    contributions = ngettext("%(n)s contribution", "%(n)s contributions", saved.contributions) % {
        "n": saved.contributions
    }
    participants = ngettext("%(n)s participant", "%(n)s participants", saved.participants) % {
        "n": saved.participants
    }
    artefacts = ngettext(
        "%(n)s artefact recorded in the programme",
        "%(n)s artefacts recorded in the programme",
        saved.artefacts,
    ) % {"n": saved.artefacts}
    return _(
        "The workshop is closed. Saved: %(contributions)s from %(participants)s, and %(artefacts)s."
    ) % {"contributions": contributions, "participants": participants, "artefacts": artefacts}
