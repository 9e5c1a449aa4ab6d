from django.urls import path

from thaw.schedule import views

urlpatterns = [
    path("clinic/sessions/", views.clinic_sessions, name="clinic_sessions"),
    path("clinic/sessions/<int:session_id>/", views.clinic_session, name="clinic_session"),
    path("clinic/sessions/<int:session_id>/remove", views.clinic_session_remove, name="clinic_session_remove"),
    path("clinic/sessions/<int:session_id>/attendance", views.clinic_session_attendance,
         name="clinic_session_attendance"),
    path("clinic/sessions/<int:session_id>/cancel", views.clinic_session_cancel, name="clinic_session_cancel"),
    path("sessions/", views.my_sessions, name="my_sessions"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/<str:token>.ics", views.calendar_ics, name="calendar_ics"),
]
