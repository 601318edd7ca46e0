"""Bearer tokens for the API and SCIM: who is calling, for which organisation, seeing what."""

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from tillit.identity.actions import authenticate_token
from tillit.identity.models import ApiToken
from tillit.org.access import Access


def token_access(token: ApiToken) -> Access:
    """What the token may read: a process owner's view, or a manager's of its unit."""
    if token.unit is None:
        return Access(token.organisation, True, (), (), None)
    return Access(token.organisation, False, (token.unit.path,), (), None)


def error(status: int, message: str, **extra) -> JsonResponse:
    response = JsonResponse({"error": message, **extra}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="tillit"'
    return response


def token_view(
    scopes: dict[str, str], *, make_error: Callable[[int, str], HttpResponse] = error
) -> Callable:
    """Decorate a view: a live token of the scope its method needs (`{"GET": scope}`).

    No CSRF: the token is in a header no other site can make a browser send. The request
    gets `token`, `organisation` and `access`.
    """

    def decorate(view: Callable) -> Callable:
        @csrf_exempt
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method not in scopes:
                response = make_error(405, _("Method not allowed."))
                response["Allow"] = ", ".join(scopes)
                return response
            token = authenticate_token(request.headers.get("Authorization", ""))
            if token is None:
                return make_error(401, _("A valid bearer token is required."))
            if scopes[request.method] not in token.scopes:
                return make_error(
                    403,
                    _("This token lacks the scope %(scope)s.") % {"scope": scopes[request.method]},
                )
            request.token = token
            request.organisation = token.organisation
            request.access = token_access(token)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
