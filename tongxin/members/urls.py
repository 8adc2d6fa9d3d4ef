from django.urls import path

from tongxin.core.moved import moved_page
from tongxin.members import views

app_name = "members"
urlpatterns = [
    path("", views.member_list_view, name="list"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/reveal/<str:field>/", views.reveal, name="reveal"),
]
urlpatterns += [  # 党费's addresses before it became tongxin.dues
    path("dues/", moved_page("dues:statement")),
    path("dues/arrears/", moved_page("dues:arrears")),
    path("dues/import/", moved_page("dues:import")),
    path("dues/import/template/", moved_page("dues:import_template")),
    path("dues/mine/", moved_page("dues:mine")),
    path("dues/payments/<int:pk>/reverse/", moved_page("dues:reverse")),
    path("<int:pk>/dues/", moved_page("dues:member")),
]


urlpatterns += [  # 双报到's addresses before it became tongxin.dual_reports
    path("dual/", moved_page("dual_reports:list")),
    path("dual/mine/", moved_page("dual_reports:mine")),
    path("dual/<int:pk>/", moved_page("dual_reports:detail")),
    path("dual/<int:pk>/<str:action>/", moved_page("dual_reports:act")),
    path("<int:member_pk>/dual/", moved_page("dual_reports:create")),
]
