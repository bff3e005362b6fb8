"""Letters to the adult and the referrer, produced from the enquiry page."""

from django.urls import path

from enquiries.views import letters

E = "enquiries/<uuid:reference>/letters/"

urlpatterns = [
    path(E, letters.enquiry_letters, name="enquiry_letters"),
    path(
        f"{E}<slug:kind>/",
        letters.enquiry_letter_preview,
        name="enquiry_letter_preview",
    ),
    path(
        f"{E}<slug:kind>/print/",
        letters.enquiry_letter_print,
        name="enquiry_letter_print",
    ),
    path(
        "letters/<uuid:letter_reference>/download/",
        letters.letter_download,
        name="letter_download",
    ),
]
