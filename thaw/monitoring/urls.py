from django.urls import path

from thaw.monitoring import views

urlpatterns = [
    path("readyz", views.readyz, name="readyz"),
    path("metrics", views.metrics, name="metrics"),
]
