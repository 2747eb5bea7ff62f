from django.apps import AppConfig


class SentencingConfig(AppConfig):
    name = "tongxin.sentencing"
    label = "sentencing"
    verbose_name = "刑罚执行内控"
