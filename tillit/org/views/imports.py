from django.http import HttpRequest, HttpResponse

from tillit.org.access import org_view


@org_view(admin=True)
def upload(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


@org_view(admin=True)
def status(request: HttpRequest, job_id: int) -> HttpResponse:
    raise NotImplementedError
