from rest_framework.routers import SimpleRouter

from federation.api import OrgUnitViewSet

router = SimpleRouter()
router.register("units", OrgUnitViewSet, basename="unit")
urlpatterns = router.urls
