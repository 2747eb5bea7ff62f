from django.urls import path

from . import views_screening as views

app_name = "sentencing_screening"

urlpatterns = [
    path("", views.screening_home, name="home"),
    path("start/", views.screening_start, name="start"),
    path("<int:pk>/", views.screening_run, name="run"),
    path("<int:pk>/export/", views.screening_export, name="export"),
]
