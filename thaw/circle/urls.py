from django.urls import path

from thaw.circle import views

urlpatterns = [
    path("circle/", views.circle, name="circle"),
    path("circle/new/", views.grant_new, name="grant_new"),
    path("circle/<uuid:grant_id>/", views.grant_edit, name="grant_edit"),
    path("circle/<uuid:grant_id>/stop", views.grant_revoke, name="grant_revoke"),
    path("circle/<uuid:grant_id>/invited", views.grant_invited, name="grant_invited"),
    path("circle/pause", views.sharing_pause, name="sharing_pause"),
    path("circle/reach-out/", views.reach_out, name="reach_out"),
    path("circle/check-on-me/", views.check_on_me, name="check_on_me"),
    path("circle/check-on-me/<int:rule_id>", views.check_on_me_change, name="check_on_me_change"),
    path("invite/<str:token>/", views.accept, name="circle_accept"),
    path("shared/", views.shared_list, name="shared_list"),
    path("shared/<int:person_id>/", views.shared_person, name="shared_person"),
]
