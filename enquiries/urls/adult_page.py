"""The adult's own page (no staff sign-in: an adult session) and the
practitioner's page that offers it."""

from django.urls import path

from enquiries.views import adult_page as views

A = "my-page/"
E = "enquiries/<uuid:reference>/adult-page/"

urlpatterns = [
    path(f"{A}start/<str:token>/", views.start, name="adult_start"),
    path(f"{A}sign-in/", views.sign_in, name="adult_sign_in"),
    path(f"{A}sign-in/code/", views.code, name="adult_code"),
    path(f"{A}signed-out/", views.signed_out, name="adult_signed_out"),
    path(f"{A}sign-out/", views.sign_out, name="adult_sign_out"),
    path(f"{A}language/", views.language, name="adult_language"),
    path(f"{A}text-size/", views.text_size, name="adult_text_size"),
    path(A, views.home, name="adult_home"),
    path(f"{A}plan/", views.plan, name="adult_plan"),
    path(f"{A}plan/easy-read/", views.plan_easy_read, name="adult_plan_easy_read"),
    path(f"{A}your-words/", views.your_words, name="adult_your_words"),
    path(f"{A}who-has-looked/", views.who_has_looked, name="adult_who_has_looked"),
    path(
        f"{A}information-shared/",
        views.information_shared,
        name="adult_information_shared",
    ),
    path(f"{A}documents/", views.documents, name="adult_documents"),
    path(
        f"{A}documents/<uuid:reference>/download/",
        views.document_download,
        name="adult_document_download",
    ),
    path(f"{A}call-back/", views.call_back, name="adult_call_back"),
    path(f"{A}how-did-it-go/", views.how_did_it_go, name="adult_how_did_it_go"),
    path(f"{A}link-for-next-time/", views.return_link, name="adult_return_link"),
    path(
        f"{A}copy-of-your-information/",
        views.copy_of_information,
        name="adult_copy_of_information",
    ),
    path(E, views.manage, name="adult_page_manage"),
    path(f"{E}invite/", views.invite, name="adult_page_invite"),
    path(f"{E}end/", views.end, name="adult_page_end"),
    path(f"{E}seen/", views.seen, name="adult_page_seen"),
]
