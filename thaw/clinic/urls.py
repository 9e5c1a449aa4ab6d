from django.urls import path

from thaw.clinic import detail, views

urlpatterns = [
    path("clinic/", views.caseload, name="caseload"),
    path("clinic/flags/<int:flag_id>/", views.flag_detail, name="flag_detail"),
    path("clinic/invite/", views.invite, name="clinic_invite"),
    path("clinic/invite/<uuid:invite_id>/", views.invited, name="clinic_invited"),
    path("clinic/duty/<int:program_id>", views.duty, name="clinic_duty"),
    path("clinic/notifications/read", views.notifications_read, name="notifications_read"),
    path("clinic/programs/", views.programs, name="programs"),
    path("clinic/programs/<int:program_id>/", views.program, name="program"),
    path("clinic/people/<int:person_id>/", detail.person, name="clinic_person"),
    path("clinic/people/<int:person_id>/homework", detail.assign_homework, name="clinic_homework"),
    path("enrol/<str:token>/", views.enrol, name="enrol"),
]
