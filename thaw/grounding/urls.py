from django.urls import path

from thaw.grounding import views

urlpatterns = [
    path("grounding/", views.index, name="grounding"),
    path("grounding/now/", views.far_away, name="grounding_now"),
    path("grounding/what-works/", views.what_works, name="grounding_what_works"),
    path("grounding/affirmations/", views.affirmations, name="grounding_affirmations"),
    path("grounding/affirmations/<uuid:affirmation_id>/delete", views.affirmation_delete,
         name="grounding_affirmation_delete"),
    path("grounding/sessions/<uuid:session_id>/", views.session_page, name="grounding_session"),
    path("grounding/<slug:slug>/", views.exercise_page, name="grounding_exercise"),
]
