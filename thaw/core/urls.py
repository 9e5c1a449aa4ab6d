from django.urls import path

from thaw.core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("language", views.set_language, name="set_language"),
    path("i18n/<str:language>.js", views.js_catalog, name="js_catalog"),
]
