from django.urls import path

from outcomes import views

# Included by outcomes/urls.py under /outcomes/ (namespace "outcomes").
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("dashboard.csv", views.dashboard_csv, name="dashboard_csv"),
    path("enquiries/", views.drilldown, name="drilldown"),
    path("equality/", views.equality, name="equality"),
    path("equality.csv", views.equality_csv, name="equality_csv"),
    path("exceptions/", views.exceptions, name="exceptions"),
    path("feedback-follow-ups/", views.follow_ups, name="follow_ups"),
    path("enquiry/<uuid:reference>/evaluate/", views.evaluate, name="evaluate"),
    path("enquiry/<uuid:reference>/feedback/", views.feedback_add, name="feedback_add"),
]
