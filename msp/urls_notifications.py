from django.urls import path

from msp import views_notifications as views

urlpatterns = [
    path("notifications/", views.notification_list, name="notifications"),
    path(
        "notifications/<int:notification_id>/read/",
        views.mark_read,
        name="notification_read",
    ),
    path("notifications/read/", views.mark_all_read, name="notifications_read_all"),
    path(
        "notifications/e-mail/",
        views.email_preferences,
        name="notification_email",
    ),
]
