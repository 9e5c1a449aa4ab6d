from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "thaw.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from thaw.accounts.signals import connect

        connect()
