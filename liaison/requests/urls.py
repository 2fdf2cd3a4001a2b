from django.urls import path

from . import views

app_name = "requests"

urlpatterns = [
    path("", views.desk, name="desk"),
    path("new/", views.choose_kind, name="choose"),
    path("new/<slug:kind>/", views.new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/step/<slug:action>/", views.step, name="step"),
    path("<int:pk>/comment/", views.comment, name="comment"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("inbox/", views.inbox, name="inbox"),
    path("proposals/", views.proposals, name="proposals"),
    path("webhooks/", views.webhook_log, name="webhooks"),
    path("statistics/", views.statistics, name="stats"),
]
