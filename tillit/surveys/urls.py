from django.urls import path

from tillit.surveys.views import answering, campaigns, mine, testing

app_name = "surveys"

urlpatterns = [
    # The answering links first: they are the hot path (see tillit/urls.py).
    path("s/test/<str:token>/", testing.answer, name="test_answer"),
    path("s/test/<str:token>/submit/", testing.submit, name="test_submit"),
    path("s/c/<str:code>/", answering.start_with_code, name="code"),
    path("s/<str:token>/", answering.answer, name="answer"),
    path("s/<str:token>/submit/", answering.submit, name="submit"),
    path("o/<slug:org>/surveys/", campaigns.campaign_list, name="campaigns"),
    path("o/<slug:org>/surveys/new/", campaigns.campaign_create, name="create"),
    path("o/<slug:org>/surveys/<int:campaign_id>/", campaigns.campaign_detail, name="detail"),
    path("o/<slug:org>/surveys/<int:campaign_id>/edit/", campaigns.campaign_edit, name="edit"),
    path(
        "o/<slug:org>/surveys/<int:campaign_id>/launch/", campaigns.campaign_launch, name="launch"
    ),
    path("o/<slug:org>/surveys/<int:campaign_id>/close/", campaigns.campaign_close, name="close"),
    path(
        "o/<slug:org>/surveys/<int:campaign_id>/reopen/", campaigns.campaign_reopen, name="reopen"
    ),
    path(
        "o/<slug:org>/surveys/<int:campaign_id>/remind/", campaigns.campaign_remind, name="remind"
    ),
    path(
        "o/<slug:org>/surveys/<int:campaign_id>/delete/", campaigns.campaign_delete, name="delete"
    ),
    path(
        "o/<slug:org>/surveys/<int:campaign_id>/test-link/",
        campaigns.campaign_test_link,
        name="test_link",
    ),
    path("o/<slug:org>/surveys/<int:campaign_id>/my-link/", mine.my_link, name="my_link"),
    path(
        "o/<slug:org>/surveys/<int:campaign_id>/poster/<int:unit_id>/",
        campaigns.campaign_poster,
        name="poster",
    ),
]
