from rest_framework.routers import SimpleRouter

from accounts.units.api import OrgUnitViewSet

router = SimpleRouter()
router.register("units", OrgUnitViewSet, basename="api-unit")
urlpatterns = router.urls
