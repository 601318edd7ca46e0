from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tillit.org.access import org_view


@org_view()
def tree(request: HttpRequest) -> HttpResponse:
    return render(request, "org/tree.html", {"units": request.access.visible_units()})


@org_view()
def unit_detail(request: HttpRequest, unit_id: int) -> HttpResponse:
    raise NotImplementedError


@org_view(admin=True)
def unit_edit(request: HttpRequest, unit_id: int) -> HttpResponse:
    raise NotImplementedError
