from django.contrib import admin
from django.urls import include, path

from tongxin.api import api
from tongxin.core.moved import moved_prefix
from tongxin.transfers.legacy_urls import api_redirect

# Unmatched addresses under /api/ answer in JSON like every API refusal.
handler404 = "tongxin.api.not_found"

admin.site.site_header = "同心 · 管理后台"
admin.site.site_title = "同心"

urlpatterns = [
    path("", include("tongxin.core.urls")),
    path("accounts/", include("tongxin.accounts.urls")),
    path("orgs/", include("tongxin.orgs.urls")),
    path("members/", include("tongxin.members.urls")),
    path("dual-reports/", include("tongxin.dual_reports.urls")),
    # Transfers' addresses before they left the members app (permanent redirects).
    path("members/", include("tongxin.transfers.legacy_urls")),
    path("transfers/", include("tongxin.transfers.urls")),
    path("rosters/", include("tongxin.rosters.urls")),
    path("dues/", include("tongxin.dues.urls")),
    path("aid/", include("tongxin.aid.urls")),
    path("grids/", include("tongxin.grids.urls")),
    path("meetings/", include("tongxin.meetings.urls")),
    path("cases/", include("tongxin.cases.urls")),
    path("visits/", include("tongxin.visits.urls")),
    path("centers/", include("tongxin.centers.urls")),
    path("volunteering/", include("tongxin.volunteering.urls")),
    path("redmap/", include("tongxin.redmap.urls")),
    path("sharing/", include("tongxin.sharing.urls")),
    path("projects/", include("tongxin.projects.urls")),
    path("appraisal/", include("tongxin.appraisal.urls")),
    path("powers/", include("tongxin.powers.urls")),
    path("deliberation/", include("tongxin.deliberation.urls")),
    path("audit/", include("tongxin.auditing.urls")),
    path("inbox/", include("tongxin.inbox.urls")),
    path("alerts/", include("tongxin.alerts.urls")),
    path("insights/", include("tongxin.insights.urls")),
    path("points/", include("tongxin.points.urls")),
    path("open311/v2/", include("tongxin.cases.open311_urls")),
    path("api/v1/members/dual-reports<path:rest>", moved_prefix("/api/v1/dual-reports")),
    path("api/v1/members/dual-reports", moved_prefix("/api/v1/dual-reports")),
    path("api/v1/members/transfers<path:rest>", api_redirect),
    path("api/v1/members/dues<path:rest>", moved_prefix("/api/v1/dues")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
