from django.http import HttpRequest, HttpResponse

from tillit.org.access import org_view


@org_view()
def campaigns(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError
