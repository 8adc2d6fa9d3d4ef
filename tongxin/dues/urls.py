from django.urls import path

from tongxin.dues import views

app_name = "dues"
urlpatterns = [
    path("", views.dues_statement, name="statement"),
    path("arrears/", views.dues_arrears, name="arrears"),
    path("import/", views.dues_import_page, name="import"),
    path("import/template/", views.dues_import_template, name="import_template"),
    path("mine/", views.my_dues, name="mine"),
    path("payments/<int:pk>/reverse/", views.dues_reverse, name="reverse"),
    path("members/<int:pk>/", views.dues_member, name="member"),
]
