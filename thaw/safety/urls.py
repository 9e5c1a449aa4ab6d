from django.urls import path

from thaw.safety import views

urlpatterns = [
    path("help/", views.crisis, name="crisis"),
    path("safety-plan/", views.safety_plan, name="safety_plan"),
]
