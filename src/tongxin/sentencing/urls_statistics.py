from django.urls import path

from . import views_statistics as views

app_name = "sentencing_statistics"

urlpatterns = [
    path("", views.statistics, name="page"),
    path("chart.svg", views.statistics_chart, name="chart"),
    path("export/", views.statistics_export, name="export"),
]
