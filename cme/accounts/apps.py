from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cme.accounts"
    label = "accounts"
    verbose_name = "Users and roles"
