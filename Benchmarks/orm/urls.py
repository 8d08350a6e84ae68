from django.contrib import admin
from django.urls import include, path

# helpdesk's staff ticket page links the submitter to the admin, so the admin must be routed
urlpatterns = [
    path("admin/", admin.site.urls),
    path("helpdesk/", include("helpdesk.urls", namespace="helpdesk")),
]
