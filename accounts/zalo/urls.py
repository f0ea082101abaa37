from allauth.socialaccount.providers.oauth2.urls import default_urlpatterns

from portal.zalo.provider import ZaloProvider

urlpatterns = default_urlpatterns(ZaloProvider)
