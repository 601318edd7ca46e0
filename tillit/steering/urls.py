from django.urls import path

from tillit.steering.views import inbox, register

app_name = "steering"

S = "o/<slug:org>/steering/"

urlpatterns = [
    path(S, register.register, name="register"),
    path(S + "register.xlsx", register.register_xlsx, name="register_xlsx"),
    path(S + "import/", register.register_import, name="import"),
    path(S + "signals/new/", register.signal_new, name="signal_new"),
    path(S + "signals/<int:pk>/", register.signal_detail, name="signal"),
    path(S + "signals/<int:pk>/edit/", register.signal_edit, name="signal_edit"),
    path(S + "signals/<int:pk>/measure/", inbox.measurement_add, name="measure"),
    path(S + "signals/<int:pk>/decide/", inbox.decide, name="decide"),
    path(S + "burden/", register.burden_page, name="burden"),
    path(S + "burden.xlsx", register.burden_xlsx, name="burden_xlsx"),
    path(S + "propose/", register.propose, name="propose"),
    path(S + "propose/estimate/", register.estimate, name="estimate"),
    path(S + "propose/search/", register.search, name="search"),
    path(S + "roles/", register.roles, name="roles"),
    path(S + "from-programmes/", register.challenges, name="challenges"),
    path(S + "roles/<int:grant_id>/revoke/", register.role_revoke, name="role_revoke"),
    path(S + "bovl/", inbox.report, name="report"),
    path(S + "bovl/receipt/", inbox.receipt, name="receipt"),
    path(S + "bovl/mine/", inbox.my_reports, name="mine"),
    path(S + "inbox/", inbox.inbox, name="inbox"),
    path(S + "inbox/<uuid:pk>/", inbox.triage, name="triage"),
    path(S + "board/", inbox.board, name="board"),
    path(S + "decisions/", inbox.decisions, name="decisions"),
    path(
        S + "decisions/<int:pk>/letter.<str:extension>",
        inbox.letter,
        name="letter",
    ),
]
