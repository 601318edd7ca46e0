from django.urls import path

from tillit.examples.views import adopt, curate, library

app_name = "examples"

E = "o/<slug:org>/examples/"

urlpatterns = [
    path(E, library.library, name="library"),
    path(E + "shared/", library.shared, name="shared"),
    path(E + "booklet/", library.booklet_page, name="booklet"),
    path(E + "new/", curate.new, name="new"),
    path(E + "from-programmes/", curate.from_programmes, name="from_programmes"),
    path(E + "curators/", curate.roles, name="roles"),
    path(E + "<int:pk>/", library.detail, name="detail"),
    path(E + "<int:pk>/v<int:number>/", library.version, name="version"),
    path(E + "<int:pk>/edit/", curate.edit, name="edit"),
    path(E + "<int:pk>/comment/", curate.comment, name="comment"),
    path(E + "<int:pk>/contacts/", curate.contacts, name="contacts"),
    path(E + "<int:pk>/contacts/<int:contact_pk>/withdraw/", curate.withdraw, name="withdraw"),
    path(E + "<int:pk>/adopt/", adopt.adopt, name="adopt"),
    path(E + "<int:pk>/<slug:verb>/", curate.step, name="step"),
    path(E + "adoptions/<int:pk>/follow-up/", adopt.follow_up, name="follow_up"),
]
