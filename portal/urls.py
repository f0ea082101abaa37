from django.urls import path

from core import job_views
from portal import views
from portal.health import PortalHealthCheckView

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", PortalHealthCheckView.as_view(), name="healthz"),
    path("tac-vu-nhap/<int:pk>/", job_views.import_job, name="import-job"),
    path(
        "tac-vu-nhap/<int:pk>/tien-do/", job_views.import_job_progress, name="import-job-progress"
    ),
]
