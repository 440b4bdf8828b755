from cme.notifications.tests.urls_cases_stub import without_cases

urlpatterns = without_cases
