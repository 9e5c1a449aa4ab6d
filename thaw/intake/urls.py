from django.urls import path

from thaw.intake import views

urlpatterns = [
    path("contact/", views.contact, name="contact"),
    path("contact/sent/", views.contact_sent, name="contact_sent"),
    path("intake/", views.inbox, name="intake_inbox"),
    path("intake/<uuid:request_id>/", views.request_detail, name="intake_request"),
    path("intake/<uuid:request_id>/invite", views.invite, name="intake_invite"),
    path("intake/<uuid:request_id>/invited/", views.invited, name="intake_invited"),
]
