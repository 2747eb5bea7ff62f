"""同心 Tongxin — the information platform of Hubei's prison bureau."""

from .celery import app as celery_app

__all__ = ["celery_app"]
