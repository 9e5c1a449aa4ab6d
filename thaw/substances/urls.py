from django.urls import path

from thaw.substances import views

urlpatterns = [
    path("substances/", views.index, name="substances"),
    path("substances/log", views.log_use, name="substances_log"),
    path("substances/craving", views.log_craving, name="substances_craving"),
    path("substances/uses/<uuid:use_id>/", views.edit_use, name="substances_use_edit"),
    path("substances/uses/<uuid:use_id>/delete", views.delete_use, name="substances_use_delete"),
    path("substances/cravings/<uuid:craving_id>/delete", views.delete_craving, name="substances_craving_delete"),
    path("substances/review/", views.review, name="substances_review"),
    path("substances/insights/", views.insights, name="substances_insights"),
    path("substances/settings/", views.settings_page, name="substances_settings"),
]
