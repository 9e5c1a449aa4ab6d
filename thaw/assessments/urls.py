from django.urls import path

from thaw.assessments import views

urlpatterns = [
    path("assessments/", views.index, name="assessments"),
    path("assessments/result/<uuid:assessment_id>/", views.result, name="assessment_result"),
    path("assessments/<slug:key>/", views.results, name="assessment_results"),
    path("assessments/<slug:key>/take", views.take, name="assessment_take"),
    path("report/", views.report, name="report"),
    path("report.pdf", views.report_pdf, name="report_pdf"),
]
