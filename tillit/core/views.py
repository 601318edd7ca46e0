from django.conf import settings
from django.contrib.auth import views as auth_views
from django.db import DatabaseError, connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language, get_language, gettext_lazy
from django.views.decorators.http import require_POST

from tillit.core import jobs, languages
from tillit.core.forms import EmailAuthenticationForm


class LoginView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    redirect_authenticated_user = True


class InvitationAcceptView(auth_views.PasswordResetConfirmView):
    """An invited user sets a first password through the same signed link as a reset."""

    template_name = "registration/invitation_accept.html"
    success_url = reverse_lazy("login")
    post_reset_login = False

    def get_context_data(self, **kwargs):
        # The invitee has not logged in yet: speak their (or their organisation's) language.
        if self.user is not None:
            language = languages.language_for_email(self.user.email)
            languages.activate_if_no_choice(self.request, language)
        return super().get_context_data(**kwargs)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; a logged-in user keeps the choice on the account."""
    code = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    response = redirect(next_url)
    if code in dict(settings.LANGUAGES) and check_for_language(code):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            code,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=settings.LANGUAGE_COOKIE_SECURE,
        )
        if request.user.is_authenticated and request.user.language != code:
            request.user.language = code
            request.user.save(update_fields=["language"])
    return response


def health(request: HttpRequest) -> JsonResponse:
    """For monitoring: 200 when the database answers and a task worker beat recently, else 503.

    Says nothing about the data; no login, so a load balancer or Nagios can poll it.
    """
    checks = {"database": "ok", "worker": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        checks["database"] = "unreachable"
        checks["worker"] = "unknown"
    else:
        if jobs.heartbeat_required() and not jobs.worker_seen_within(settings.WORKER_STALE_SECONDS):
            checks["worker"] = "silent"
    healthy = all(value == "ok" for value in checks.values())
    response = JsonResponse({"status": "ok" if healthy else "failing", **checks})
    response.status_code = 200 if healthy else 503
    response["Cache-Control"] = "no-store"
    return response


#: Help topics: slug -> title. The text of each is a template per language
#: (core/templates/help/<language>/<slug>.html), written in each language, not translated
#: sentence by sentence.
HELP_TOPICS = {
    "hme": gettext_lazy("HME: sustainable employee engagement"),
    "principles": gettext_lazy("The seven trust principles"),
    "anonymity": gettext_lazy("Anonymity: what a manager sees and does not see"),
    "methods": gettext_lazy("The methods"),
}


def help_page(request: HttpRequest, topic: str = "") -> HttpResponse:
    """A help page in the reader's language (open to all: it explains, it holds no data)."""
    if topic and topic not in HELP_TOPICS:
        raise Http404
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    context = {
        "topics": list(HELP_TOPICS.items()),
        "topic": topic,
        "title": HELP_TOPICS.get(topic, gettext_lazy("Help")),
        "body": f"help/{language}/{topic}.html" if topic else "",
    }
    return render(request, "help/page.html", context)
