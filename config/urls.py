from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.static import serve
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from accounts import account, people, registration
from accounts import views as accounts_views
from accounts.views import LoginView, PasswordResetView

api_v1 = [
    path("", include("accounts.units.api_urls")),
    path("", include("initiatives.api_urls")),
    path("", include("review.api_urls")),
    path("", include("rankings.api_urls")),
]

urlpatterns = [
    path("", include("portal.urls")),
    path("don-vi/", include("accounts.units.urls")),
    path("sang-kien/nhap/", include("initiatives.import_urls")),
    path("sang-kien/", include("initiatives.urls")),
    path("duyet/", include("review.urls")),
    path("xep-hang/", include("rankings.urls")),
    path("admin/", admin.site.urls),
    path("tai-khoan/dang-nhap/", LoginView.as_view(), name="login"),
    path("tai-khoan/dang-ky/", registration.register, name="register"),
    path("tai-khoan/dang-ky/don-vi/", registration.unit_search, name="register-unit-search"),
    path("tai-khoan/dang-ky/don-vi/chon/", registration.unit_pick, name="register-unit-pick"),
    path("tai-khoan/hoan-tat/", registration.complete_profile, name="complete-profile"),
    path(
        "tai-khoan/loi-moi/<str:token>/",
        registration.invitation_accept,
        name="invitation-accept",
    ),
    path("tai-khoan/", account.account_home, name="account"),
    path("tai-khoan/vao-cong-doan/", registration.membership_join, name="membership-join"),
    path("tai-khoan/phien/<int:pk>/ket-thuc/", account.session_end, name="account-session-end"),
    path("tai-khoan/khoa-api/", account.api_tokens, name="account-api-tokens"),
    path(
        "tai-khoan/khoa-api/<int:pk>/thu-hoi/",
        account.api_token_revoke_view,
        name="account-api-token-revoke",
    ),
    path("tai-khoan/du-lieu-cua-toi.json", account.data_export, name="account-data-export"),
    # allauth serves only the social sign-in: its own login and sign-up pages lead to ours.
    path("tai-khoan/mxh/login/", RedirectView.as_view(pattern_name="login", query_string=True)),
    path(
        "tai-khoan/mxh/signup/",
        RedirectView.as_view(pattern_name="register", query_string=True),
    ),
    path("tai-khoan/mxh/", include("allauth.urls")),
    path("doan-vien/", people.member_list, name="people-list"),
    path("doan-vien/cho-xac-nhan/", people.pending_list, name="people-pending"),
    path("doan-vien/cho-xac-nhan/quyet-dinh/", people.pending_decide, name="people-decide"),
    path("doan-vien/moi-tham-gia/", people.invitation_create, name="people-invite"),
    path("doan-vien/nhap/", people.member_import, name="people-import"),
    path("doan-vien/<int:pk>/", people.person_detail, name="people-detail"),
    path("doan-vien/<int:pk>/vai-tro/giao/", people.role_grant, name="people-role-grant"),
    path(
        "doan-vien/<int:pk>/vai-tro/<int:assignment_id>/thu-hoi/",
        people.role_withdraw,
        name="people-role-withdraw",
    ),
    path("doan-vien/<int:pk>/chuyen/", people.member_move, name="people-move"),
    path("tai-khoan/dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "tai-khoan/doi-mat-khau/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "tai-khoan/doi-mat-khau/xong/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("tai-khoan/quen-mat-khau/", PasswordResetView.as_view(), name="password_reset"),
    path(
        "tai-khoan/quen-mat-khau/da-gui/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "tai-khoan/dat-lai/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "tai-khoan/dat-lai/xong/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("i18n/setlang/", accounts_views.set_language, name="set_language"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script (CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
]

if settings.DEBUG:
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
