from django.apps import AppConfig


class PrisonersConfig(AppConfig):
    name = "tongxin.prisoners"
    label = "prisoners"
    verbose_name = "罪犯与计分考核"
