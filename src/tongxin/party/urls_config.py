from django.urls import path

from . import views_config as views

app_name = "party_config"

urlpatterns = [
    path("requirements/", views.requirements, name="requirements"),
    path("observations/", views.observations, name="observations"),
    path("activities/<int:pk>/attachments/", views.attachment_upload, name="attachment-upload"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment-download"),
]
