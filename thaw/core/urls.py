from django.urls import path

from thaw.core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("tools/", views.tools, name="tools"),
    path("more/", views.more, name="more"),
]
