from django.urls import path

from cme.notifications import views

app_name = "notifications"

urlpatterns = [
    # Triage (LA casework)
    path("triage/", views.queue, name="queue"),
    path("triage/<int:pk>/", views.triage_detail, name="triage-detail"),
    path("triage/<int:pk>/outcome/", views.triage_outcome, name="triage-outcome"),
    path("triage/<int:pk>/link/", views.triage_link_child, name="triage-link"),
    path("triage/attachments/<int:pk>/", views.attachment_download, name="attachment-download"),
    # School returns
    path("returns/", views.return_start, name="return-start"),
    path("returns/deletion/", views.deletion_return_new, name="deletion-return-new"),
    path("returns/new-pupil/", views.new_entrant_return_new, name="new-entrant-return-new"),
    path("returns/upload/", views.return_upload, name="return-upload"),
    path("returns/upload/deletion-returns-template.csv", views.deletion_template, name="return-template-deletion"),
    path("returns/upload/new-pupil-returns-template.csv", views.new_entrant_template,
         name="return-template-new-entrant"),
    # Partner referrals, and what a school or agency has sent
    path("referrals/new/", views.referral_new, name="referral-new"),
    path("referrals/sent/", views.my_submissions, name="my-submissions"),
    path("referrals/sent/<int:pk>/", views.submission_detail, name="submission-detail"),
    # Residents (no sign-in)
    path("public/report-a-child/", views.public_report, name="public-report"),
    path("public/report-a-child/sent/", views.public_report_sent, name="public-report-sent"),
    # Other local authorities
    path("enquiries/", views.enquiry_list, name="enquiry-list"),
    path("enquiries/new/", views.enquiry_new, name="enquiry-new"),
    path("enquiries/<int:pk>/", views.enquiry_detail, name="enquiry-detail"),
    path("enquiries/<int:pk>/response/", views.enquiry_response, name="enquiry-response"),
    # Shared mailbox
    path("mailbox/new/", views.mailbox_new, name="mailbox-new"),
]
