from django.urls import path

from thaw.reminders import views

urlpatterns = [
    path("reminders/", views.reminders_page, name="reminders"),
    path("reminders/open/<uuid:prompt_id>", views.open_prompt, name="reminders_open"),
    path("reminders/fewer", views.fewer, name="reminders_fewer"),
    path("reminders/devices/<uuid:device_id>/remove", views.device_remove, name="reminders_device_remove"),
]
