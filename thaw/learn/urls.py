from django.contrib.sitemaps.views import sitemap
from django.urls import path

from thaw.learn import feeds, manage, views

urlpatterns = [
    path("learn/", views.index, name="learn"),
    path("learn/all/", views.all_articles, name="learn_all"),
    path("learn/feed/", feeds.ArticleFeed(), name="learn_feed"),
    path("learn/images/<str:digest>.jpg", views.image, name="learn_image"),
    path("learn/manage/", manage.dashboard, name="learn_manage"),
    path("learn/manage/new/", manage.new_article, name="learn_new"),
    path("learn/manage/preview", manage.preview, name="learn_preview"),
    path("learn/manage/comments/", manage.comments, name="learn_comments"),
    path("learn/manage/comments/<int:comment_id>", manage.moderate, name="learn_moderate"),
    path("learn/manage/programs/", manage.program_pages, name="learn_program_pages"),
    path("learn/manage/programs/<int:program_id>/", manage.edit_program_page, name="learn_program_page"),
    path("learn/manage/<slug:slug>/", manage.edit_article, name="learn_edit"),
    path("learn/manage/<slug:slug>/image", manage.article_image, name="learn_image_upload"),
    path("learn/manage/<slug:slug>/settings", manage.article_settings, name="learn_article_settings"),
    path("learn/manage/<slug:slug>/revisions/", manage.revisions, name="learn_revisions"),
    path("learn/manage/<slug:slug>/revisions/<int:number>/", manage.revision, name="learn_revision"),
    path("learn/<slug:slug>/", views.article, name="learn_article"),
    path("learn/<slug:slug>/comment/", views.comment, name="learn_comment"),
    path("programs/", views.programs, name="programs_public"),
    path("programs/<slug:slug>/", views.program, name="program_page"),
    path("sitemap.xml", sitemap, {"sitemaps": feeds.SITEMAPS}, name="sitemap"),
]
