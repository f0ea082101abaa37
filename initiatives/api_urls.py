from rest_framework.routers import SimpleRouter

from initiatives.api import InitiativeViewSet

router = SimpleRouter()
router.register("initiatives", InitiativeViewSet, basename="initiative")
urlpatterns = router.urls
