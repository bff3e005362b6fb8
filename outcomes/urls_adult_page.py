"""Adult pages the outcomes app adds to the adult's own page (under /my-page/)."""

from django.urls import path

from outcomes import adult_page

app_name = "outcomes_adult"

urlpatterns = [
    path("feedback/", adult_page.feedback, name="adult_feedback"),
]
