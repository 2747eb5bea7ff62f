from django.urls import path

from . import views

app_name = "party"

urlpatterns = [
    path("", views.home, name="home"),
    path("orgs/<int:pk>/", views.org_detail, name="org-detail"),
    path("members/", views.member_list, name="member-list"),
    path("activities/", views.activity_list, name="activity-list"),
    path("activities/export/", views.activity_export, name="activity-export"),
    path("activities/new/", views.activity_edit, name="activity-create"),
    path("activities/attendance-rows/", views.attendance_rows, name="attendance-rows"),
    path("activities/<int:pk>/", views.activity_detail, name="activity-detail"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="activity-edit"),
    path("checkin/<str:token>/", views.checkin, name="checkin"),
    path("me/", views.me, name="me"),
    path("compliance/", views.compliance_overview, name="compliance"),
    path("compliance/export/", views.compliance_export, name="compliance-export"),
    path("statistics/", views.statistics, name="statistics"),
    path("statistics/export/", views.statistics_export, name="statistics-export"),
    path("statistics/chart/<str:series>.svg", views.statistics_chart, name="statistics-chart"),
]
