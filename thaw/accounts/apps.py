from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "thaw.accounts"
    label = "accounts"
    verbose_name = "Accounts"
