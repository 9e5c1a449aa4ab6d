from django.urls import path

from thaw.accounts import views

urlpatterns = [
    path("settings/", views.settings_page, name="settings"),
    path("settings/tokens/new", views.token_create, name="token_create"),
    path("settings/timezone", views.use_device_timezone, name="use_device_timezone"),
    path("settings/erase", views.erase_account, name="erase_account"),
    path("settings/erased", views.account_erased, name="account_erased"),
    path("settings/export", views.export_page, name="export_page"),
    path("settings/tokens/<int:token_id>/revoke", views.token_revoke, name="token_revoke"),
]
