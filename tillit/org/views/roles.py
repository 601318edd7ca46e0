from django.http import HttpRequest, HttpResponse

from tillit.org.access import org_view


@org_view(admin=True)
def roles(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError
