from django.apps import AppConfig


class ZaloConfig(AppConfig):
    name = "accounts.zalo"
    label = "zalo"
    verbose_name = "Zalo"
