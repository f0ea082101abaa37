from django.urls import path, re_path

from rankings import views

app_name = "rankings"

urlpatterns = [
    path("", views.leaderboard, name="leaderboard"),
    path("bang-dieu-khien/", views.dashboard, name="dashboard"),
    path("khen-thuong/", views.recognition, name="recognition"),
    path("don-vi/<str:code>/", views.unit_ranking, name="unit"),
    path("don-vi/<str:code>/tien-do/", views.unit_progress, name="unit-progress"),
    path("don-vi/<str:code>/chi-tieu/", views.unit_targets, name="unit-targets"),
    path("don-vi/<str:code>/bao-cao/", views.unit_reports, name="unit-reports"),
    path(
        "don-vi/<str:code>/bao-cao/lap-lai/",
        views.unit_report_regenerate,
        name="unit-report-regenerate",
    ),
    path(
        "don-vi/<str:code>/bao-cao/tac-vu/<int:pk>/",
        views.unit_report_job,
        name="unit-report-job",
    ),
    re_path(
        r"^don-vi/(?P<code>[^/]+)/bao-cao/(?P<week>\d{4}-\d{2}-\d{2})\.(?P<fmt>xlsx|pdf)$",
        views.unit_report_download,
        name="unit-report-download",
    ),
]
