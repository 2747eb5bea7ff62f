from django.urls import path

from . import views

app_name = "sentencing"

urlpatterns = [
    path("", views.case_list, name="case-list"),
    path("export/", views.case_export, name="case-export"),
    path("tasks/", views.my_tasks, name="tasks"),
    path("propose/", views.propose_start, name="propose-start"),
    path("propose/<int:prisoner_pk>/", views.propose, name="propose"),
    path("notice/<int:pk>/", views.notice, name="notice"),
    path("notice/<int:pk>/pdf/", views.notice_pdf, name="notice-pdf"),
    path("<int:pk>/", views.case_detail, name="case-detail"),
    path("<int:pk>/pdf/", views.case_pdf, name="case-pdf"),
    path(
        "<int:pk>/alerts/<int:item>/dispose/",
        views.case_act,
        {"action": "dispose"},
        name="alert-dispose",
    ),
    path(
        "<int:pk>/objections/<int:item>/answer/",
        views.case_act,
        {"action": "answer"},
        name="objection-answer",
    ),
    path("<int:pk>/<slug:action>/", views.case_act, name="case-act"),
]
