from django.urls import path

from portal import views
from portal.health import PortalHealthCheckView

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", PortalHealthCheckView.as_view(), name="healthz"),
]
