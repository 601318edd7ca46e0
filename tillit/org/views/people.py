from django.http import HttpRequest, HttpResponse

from tillit.org.access import org_view


@org_view(admin=True)
def people(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError
