from django.urls import path

from thaw.checkins import views

urlpatterns = [
    path("checkin/", views.checkin_new, name="checkin_new"),
    path("checkin/quick", views.checkin_quick, name="checkin_quick"),
    path("checkin/suggest", views.checkin_suggest, name="checkin_suggest"),
    path("checkins/", views.history, name="history"),
    path("checkins/<uuid:checkin_id>/", views.checkin_edit, name="checkin_edit"),
    path("checkins/<uuid:checkin_id>/delete", views.checkin_delete, name="checkin_delete"),
    path("emotions/", views.emotion_words, name="emotion_words"),
]
