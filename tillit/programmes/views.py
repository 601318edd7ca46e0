from django.http import HttpRequest, HttpResponse

from tillit.org.access import org_view


@org_view()
def programmes(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError
