from django.urls import include, path

from thaw.accounts.views import sign_out
from thaw.api import api

urlpatterns = [
    # The API first: its requests (the busiest, from scripts and apps) resolve without
    # walking every page's patterns first. No page lives under api/v1/.
    path("api/v1/", api.urls),
    path("", include("thaw.core.urls")),
    path("", include("thaw.checkins.urls")),
    path("", include("thaw.accounts.urls")),
    path("", include("thaw.safety.urls")),
    path("", include("thaw.assessments.urls")),
    path("", include("thaw.insights.urls")),
    path("", include("thaw.grounding.urls")),
    path("", include("thaw.substances.urls")),
    path("", include("thaw.circle.urls")),
    path("", include("thaw.clinic.urls")),
    path("", include("thaw.schedule.urls")),
    path("", include("thaw.reminders.urls")),
    path("", include("thaw.monitoring.urls")),
    path("", include("thaw.learn.urls")),
    path("", include("thaw.intake.urls")),
    # Before allauth's own: the same sign-out, which also clears what Thaw kept on the device.
    path("accounts/logout/", sign_out),
    path("accounts/", include("allauth.urls")),
]

handler400 = "thaw.core.views.bad_request"
