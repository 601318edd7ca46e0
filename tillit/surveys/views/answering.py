"""Answering a survey through a personal link or a unit code. No login: the link is the key."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from tillit.core import throttle
from tillit.instruments.definition import AnswerError, labels_for, text_for
from tillit.surveys import actions, responding
from tillit.surveys.models import Invitation
from tillit.surveys.questionnaire import (
    BACKGROUND_LABELS,
    Page,
    Questionnaire,
    build_questionnaire,
    check_background,
    check_page,
    page_answers_from_post,
)
from tillit.surveys.responding import InvalidAnswers, NotAnswerable, Submitted

LANGUAGE_NAMES = {"sv": "Svenska", "da": "Dansk", "nb": "Norsk bokmål", "en": "English"}


def _invitation(token: str) -> Invitation:
    invitation = responding.find_invitation(token)
    if invitation is None:
        raise Http404
    return invitation


def _status(request: HttpRequest, invitation: Invitation, reason: str, status: int = 200):
    translation.activate(invitation.language)
    return render(
        request,
        "surveys/status.html",
        {"campaign": invitation.campaign, "reason": reason, "via_code": invitation.via_code},
        status=status,
    )


def _questions(
    page: Page, answers: dict[str, Any], errors: dict[str, str], language: str
) -> list[dict]:
    """What the page template draws for each visible item, in the respondent's language."""
    mine = answers.get(page.instrument, {})
    definition = page.definition
    out = []
    for item in page.visible(answers):
        value = mine.get(item["id"], "")
        question = {
            "id": item["id"],
            "name": f"a:{item['id']}",
            "html_id": f"q-{page.instrument}-{item['id']}",
            "type": item["type"],
            "text": text_for(item["text"], language),
            "required": item["required"],
            "error": errors.get(item["id"], ""),
            "value": "" if value is None else value,
            "min": item.get("min"),
            "max": item.get("max"),
            "max_length": item.get("max_length"),
        }
        if item["type"] == "scale":
            scale = definition["scales"][item["scale"]]
            labels = labels_for(scale["labels"], language)
            question["choices"] = [
                (str(v), labels[n] if n < len(labels) else "", str(value) == str(v))
                for n, v in enumerate(range(scale["min"], scale["max"] + 1))
            ]
        elif item["type"] in ("single", "multiple"):
            chosen = {str(v) for v in value} if isinstance(value, list) else {str(value)}
            question["choices"] = [
                (c["value"], text_for(c["label"], language), c["value"] in chosen)
                for c in item["choices"]
            ]
        out.append(question)
    return out


def _render_page(
    request: HttpRequest,
    invitation: Invitation,
    questionnaire: Questionnaire,
    state: responding.DraftState,
    page: Page,
    *,
    answers: dict | None = None,
    background: dict | None = None,
    errors: list[AnswerError] | None = None,
    status: int = 200,
    test: bool = False,
) -> HttpResponse:
    language = state.language
    translation.activate(language)
    answers = answers if answers is not None else state.answers
    background = background if background is not None else state.background
    by_item = {e.item: e.message for e in errors or []}
    campaign = invitation.campaign
    context = {
        "campaign": campaign,
        "token": _token(request),
        "submit_url": reverse(
            "surveys:test_submit" if test else "surveys:submit", args=[_token(request)]
        ),
        "test_mode": test,
        "page": page,
        "page_number": page.index + 1,
        "page_count": len(questionnaire.pages),
        "errors": errors or [],
        "via_code": invitation.via_code,
        "languages": [(c, LANGUAGE_NAMES.get(c, c)) for c in campaign.languages],
        "language": language,
    }
    if page.kind == "section":
        instrument_title = text_for(page.definition["title"], language)
        several = len(page.sections) > 1
        title = "" if several else text_for(page.sections[0]["title"], language)
        context["title"] = title or instrument_title
        # Over the heading when the heading is a section's, not the instrument's.
        context["instrument_title"] = instrument_title if title else ""
        questions = _questions(page, answers, by_item, language)
        context["questions"] = questions
        context["groups"] = [
            (
                text_for(section["title"], language) if several else "",
                [q for q in questions if q["id"] in {i["id"] for i in section["items"]}],
            )
            for section in page.sections
        ]
        context["first_of_instrument"] = page.sections[0] is page.definition["sections"][0]
        context["description"] = text_for(page.definition.get("description"), language)
        context["attribution"] = text_for(page.definition.get("attribution"), language)
        context["translation_note"] = (
            text_for(page.definition.get("translation_note"), language) if language != "sv" else ""
        )
    elif page.kind == "background":
        context["title"] = _("About you")
        context["background"] = [
            {
                "key": key,
                "label": BACKGROUND_LABELS[key],
                "choices": questionnaire.background_choices(key),
                "value": background.get(key, ""),
                "error": by_item.get(key, ""),
            }
            for key in questionnaire.background_asked
        ]
    else:
        context["title"] = _("Check and send")
        context["review"] = _review(questionnaire, state, language)
        context["idempotency_key"] = state.idempotency_key
    return render(request, "surveys/page.html", context, status=status)


def _review(questionnaire: Questionnaire, state: responding.DraftState, language: str) -> list:
    """Sections with each shown question and the answer given, for the review page."""
    sections = []
    for page in questionnaire.pages:
        if page.kind == "section":
            shown_by_id = {}
            for question in _questions(page, state.answers, {}, language):
                shown = question["value"]
                if "choices" in question:
                    shown = ", ".join(
                        label or value for value, label, on in question["choices"] if on
                    )
                shown_by_id[question["id"]] = (question["text"], shown)
            for section in page.sections:
                rows = [shown_by_id[i["id"]] for i in section["items"] if i["id"] in shown_by_id]
                if rows:
                    sections.append((page.index, text_for(section["title"], language), rows))
        elif page.kind == "background":
            rows = []
            for key in questionnaire.background_asked:
                value = state.background.get(key, "")
                label = dict(questionnaire.background_choices(key)).get(value, "")
                rows.append((str(BACKGROUND_LABELS[key]), label))
            sections.append((page.index, _("About you"), rows))
    return sections


def _token(request: HttpRequest) -> str:
    return request.resolver_match.kwargs["token"]


@never_cache
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    """One page of the questionnaire; each POST saves the page to the server-side draft."""
    invitation = _invitation(token)
    try:
        responding.check_answerable(invitation)
    except NotAnswerable as refusal:
        return _status(request, invitation, refusal.reason)
    questionnaire = build_questionnaire(invitation.campaign, invitation)
    state = responding.load_draft(invitation)
    # The respondent's language, not the browser's: messages made while checking too.
    translation.activate(state.language)
    if request.method == "GET":
        index = _int(request.GET.get("p"), state.page)
        page = questionnaire.page(index)
        if page.kind == "review" or page.index != state.page:
            state = responding.do_save_draft(
                invitation, page=page.index, new_key=page.kind == "review"
            )
        return _render_page(request, invitation, questionnaire, state, page)
    return _save_page(request, invitation, questionnaire, state)


def _save_page(
    request, invitation, questionnaire, state, save=responding.do_save_draft, test: bool = False
) -> HttpResponse:
    """Check and keep one page's answers through `save` (the draft, or a test's session)."""
    page = questionnaire.page(_int(request.POST.get("page"), 0))
    action = request.POST.get("action", "next")
    language = request.POST.get("language") if action == "language" else None
    if language and language not in invitation.campaign.languages:
        language = None
    target = page.index
    if action == "next":
        target = questionnaire.next_index(page.index, state.answers, +1)
    elif action == "back":
        target = questionnaire.next_index(page.index, state.answers, -1)
    if page.kind == "section":
        given = page_answers_from_post(page, request.POST)
        errors = check_page(questionnaire, page, state.answers, given, require=action == "next")
        if errors:
            answers = {
                **state.answers,
                page.instrument: {**state.answers.get(page.instrument, {}), **given},
            }
            return _render_page(
                request,
                invitation,
                questionnaire,
                state,
                page,
                answers=answers,
                errors=errors,
                status=400,
                test=test,
            )
        merged = {
            **state.answers,
            page.instrument: {**state.answers.get(page.instrument, {}), **given},
        }
        before = {i["id"] for i in page.visible(state.answers)}
        newly_shown = {i["id"] for i in page.visible(merged)} - before
        if action == "next":
            # An answer on this page revealed a follow-up question here: ask it before moving on.
            target = page.index if newly_shown else questionnaire.next_index(page.index, merged, +1)
        elif action == "back":
            target = questionnaire.next_index(page.index, merged, -1)
        state = save(
            invitation,
            page=target,
            answers={page.instrument: given},
            language=language,
            new_key=questionnaire.page(target).kind == "review",
        )
    elif page.kind == "background":
        given = {key: request.POST.get(f"b:{key}", "") for key in questionnaire.background_asked}
        errors = check_background(questionnaire, given)
        if errors:
            return _render_page(
                request,
                invitation,
                questionnaire,
                state,
                page,
                background=given,
                errors=errors,
                status=400,
                test=test,
            )
        state = save(
            invitation,
            page=target,
            background=given,
            language=language,
            new_key=questionnaire.page(target).kind == "review",
        )
    else:
        state = save(
            invitation,
            page=target,
            language=language,
            new_key=questionnaire.page(target).kind == "review",
        )
    # The next page comes in this response, not after a redirect: a round trip less per page
    # on a phone. Sending the same page again (a reload) saves the same answers again; the
    # page's script puts its own address (?p=…) in the address bar.
    return _render_page(
        request, invitation, questionnaire, state, questionnaire.page(target), test=test
    )


def _int(value: str | None, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@never_cache
@require_POST
def submit(request: HttpRequest, token: str) -> HttpResponse:
    """Store the response once; a replay of the same submission gets the same thank-you page."""
    invitation = _invitation(token)
    state = responding.load_draft(invitation)
    translation.activate(state.language)
    try:
        outcome = responding.submit_for(
            invitation, request.POST.get("idempotency_key", ""), state.answers, state.background
        )
    except NotAnswerable as refusal:
        return _status(request, invitation, refusal.reason)
    except InvalidAnswers as invalid:
        questionnaire = build_questionnaire(invitation.campaign, invitation)
        errors = [
            AnswerError(f"{instrument}.{error.item}", error.message)
            for instrument, error in invalid.errors
        ]
        return _render_page(
            request,
            invitation,
            questionnaire,
            state,
            questionnaire.pages[-1],
            errors=errors,
            status=400,
        )
    assert outcome in (Submitted.STORED, Submitted.REPLAY)
    translation.activate(state.language)
    return HttpResponse(_thanks_page(request, invitation.campaign, state.language))


# The thank-you page is the same for everyone of a campaign in a language (no form, no token),
# and the submit is the hot path: render it once per process.
_THANKS: dict[tuple, str] = {}


def _thanks_page(request: HttpRequest, campaign, language: str) -> str:
    key = (campaign.pk, campaign.created_at, campaign.name, campaign.organisation.name, language)
    html = _THANKS.get(key)
    if html is None:
        html = _THANKS[key] = render_to_string(
            "surveys/status.html", {"campaign": campaign, "reason": "thanks"}, request
        )
    return html


# The device's link from a poster code lives in a signed cookie (one per code), so a reload or
# a second visit resumes that link instead of making another one.
CODE_COOKIE_SALT = "tillit.surveys.code-link"


def _code_cookie(code: str) -> str:
    return f"tillit_code_{code}"


@never_cache
@require_http_methods(["GET", "POST"])
def start_with_code(request: HttpRequest, code: str) -> HttpResponse:
    """A unit's poster code: the page, then this device's one-time link (made once)."""
    from tillit.surveys.models import UnitCode

    unit_code = (
        UnitCode.objects.select_related("campaign", "unit").filter(code=code.upper()).first()
    )
    if unit_code is None:
        raise Http404
    campaign = unit_code.campaign
    translation.activate(campaign.languages[0])
    if request.method == "POST":
        cookie = _code_cookie(unit_code.code)
        try:
            link = actions.do_start_with_code(
                unit_code.code,
                device_token=request.get_signed_cookie(cookie, None, salt=CODE_COOKIE_SALT),
                client=throttle.client_address(request),
            )
        except NotAnswerable as refusal:
            return render(
                request,
                "surveys/status.html",
                {"campaign": campaign, "reason": refusal.reason},
                status=429 if refusal.reason == "code_busy" else 200,
            )
        response = redirect("surveys:answer", token=link.token)
        if not link.resumed:
            days = (campaign.closes_on - timezone.localdate()).days + 1
            response.set_signed_cookie(
                cookie,
                link.token,
                salt=CODE_COOKIE_SALT,
                max_age=max(days, 1) * 24 * 3600,
                # The codes' common path, not this one: a code typed in lower case is the same
                # code (the cookie's name holds it) and must find the same link.
                path=reverse("surveys:code", args=[unit_code.code]).rsplit("/", 2)[0] + "/",
                secure=request.is_secure(),
                httponly=True,
                samesite="Lax",
            )
        return response
    return render(
        request,
        "surveys/code.html",
        {"campaign": campaign, "unit": unit_code.unit, "code": unit_code.code},
    )
