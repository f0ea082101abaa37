from allauth.socialaccount.providers.oauth2.urls import default_urlpatterns

from accounts.zalo.provider import ZaloProvider

urlpatterns = default_urlpatterns(ZaloProvider)
