from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "tongxin.web"
    label = "web"
    verbose_name = "平台外壳"
