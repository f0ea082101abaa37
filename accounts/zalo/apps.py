from django.apps import AppConfig


class ZaloConfig(AppConfig):
    name = "portal.zalo"
    label = "zalo"
    verbose_name = "Zalo"
