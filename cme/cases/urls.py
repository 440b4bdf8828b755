from django.urls import path

from cme.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("tasks/", views.my_tasks, name="my-tasks"),
    path("ctf/import/", views.ctf_import, name="ctf-import"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/change/", views.case_edit, name="edit"),
    path("<int:pk>/transition/", views.case_transition, name="transition"),
    path("<int:pk>/allocate/", views.case_allocate, name="allocate"),
    path("<int:pk>/close/", views.case_close, name="close"),
    path("<int:pk>/reopen/", views.case_reopen, name="reopen"),
    path("<int:pk>/notes/", views.note_add, name="note-add"),
    path("<int:pk>/contacts/new/", views.contact_new, name="contact-new"),
    path("<int:pk>/documents/new/", views.document_new, name="document-new"),
    path("<int:pk>/tasks/new/", views.task_new, name="task-new"),
    path("<int:pk>/ctf/lost-pupil/", views.ctf_generate, name="ctf-generate"),
    path("<int:pk>/transfer/", views.transfer_new, name="transfer-new"),
    path("children/<int:pk>/open/", views.case_open, name="open"),
    path("enquiries/<int:pk>/", views.enquiry_detail, name="enquiry"),
    path("tasks/<int:pk>/done/", views.task_done, name="task-done"),
    path("documents/<int:pk>/", views.document_download, name="document"),
    path("ctf/<int:pk>/", views.ctf_download, name="ctf-download"),
    path("ctf/<int:pk>/s2s/", views.ctf_s2s_record, name="ctf-s2s"),
    path("transfers/<int:pk>/", views.transfer_respond, name="transfer-respond"),
    path("from-notification/<int:pk>/", views.open_from_notification, name="open-from-notification"),
    path("add-notification/<int:pk>/", views.add_notification, name="add-notification"),
    path("from-ehe/<int:pk>/", views.open_from_ehe, name="open-from-ehe"),
]
