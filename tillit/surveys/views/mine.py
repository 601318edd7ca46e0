"""What an invited person does about their own invitation outside the answering link."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tillit.org.access import org_view
from tillit.surveys import actions
from tillit.surveys.models import Invitation


@require_POST
@org_view()
def my_link(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Mail the logged-in person a new link to their own waiting invitation."""
    try:
        actions.do_send_my_link(request.organisation, campaign_id, request.user.email)
    except Invitation.DoesNotExist:
        # Answered in another tab meanwhile, closed, or never invited: said alike.
        messages.info(
            request,
            _("No survey waits for your answer there: it may have closed, or you have answered."),
        )
    except actions.CampaignError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("A new link was sent to %(email)s.") % {"email": request.user.email}
        )
    return redirect("org:overview", request.organisation.slug)
