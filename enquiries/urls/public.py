"""The public concern form (no sign-in) and the practitioners' intake queue."""

from django.urls import path

from enquiries.views import allocation, intake, public

urlpatterns = [
    path("raise-a-concern/", public.start, name="public_start"),
    path(
        "raise-a-concern/before-you-start/",
        public.before_you_start,
        name="public_before_you_start",
    ),
    path(
        "raise-a-concern/staying-safe-online/",
        public.staying_safe,
        name="public_staying_safe",
    ),
    path("raise-a-concern/check-your-answers/", public.check, name="public_check"),
    path(
        "raise-a-concern/concern-sent/",
        public.confirmation,
        name="public_confirmation",
    ),
    path("raise-a-concern/<slug:slug>/", public.step, name="public_step"),
    path("intake/", intake.queue, name="intake_queue"),
    path("intake/<str:reference>/", intake.detail, name="intake_detail"),
    path("intake/<str:reference>/match/", intake.match, name="intake_match"),
    path("intake/<str:reference>/convert/", intake.convert, name="intake_convert"),
    path(
        "intake/<str:reference>/new-person/",
        intake.new_person,
        name="intake_new_person",
    ),
    path("intake/<str:reference>/close/", intake.close, name="intake_close"),
    path("intake/<str:reference>/route/", allocation.route, name="intake_route"),
]
