"""Editors' pages: articles (Markdown with a live preview, drafts, scheduling, revisions with
restore, a picture with its description), the comment queue, and the programs' public pages.

Who may use them is decided in ``thaw.access`` (editors; admins too for program pages). Nothing
here shows anyone's clinical data or a contact request. Every write redirects afterwards (a reload
sends nothing again).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.http import require_POST

from thaw import access
from thaw.audit.models import record
from thaw.core.versions import EditConflict, conflict_rows, form_version
from thaw.learn import services
from thaw.learn.forms import ArticleForm, CommentsModeForm, ImageForm, ProgramPageForm, ReplyForm
from thaw.learn.markdown import render as render_markdown
from thaw.learn.models import (
    BODY_MAX,
    Article,
    Comment,
    CommentStatus,
    ProgramPage,
    Revision,
    Topic,
)
from thaw.validation import count


def editor_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not access.is_editor(request.user):
            raise Http404("This page is for editors.")
        return view(request, *args, **kwargs)

    return wrapped


def program_editor_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not access.may_edit_program_pages(request.user):
            raise Http404("This page is for editors and admins.")
        return view(request, *args, **kwargs)

    return wrapped


def _article(slug: str) -> Article:
    found = Article.objects.filter(slug=slug).select_related("image").first()
    if found is None:
        raise Http404("No such article.")
    return found


@editor_only
def dashboard(request: HttpRequest) -> HttpResponse:
    articles = list(Article.objects.order_by("published_at", "-updated_at").select_related("image"))
    articles.sort(key=lambda a: (a.published_at is not None, -(a.published_at.timestamp() if a.published_at else 0)))
    return render(request, "learn/manage/dashboard.html", {
        "articles": articles, "held": services.moderation_queue().count(),
        "urgent": services.moderation_queue().filter(urgent=True).count(),
        "pages": ProgramPage.objects.select_related("program"), "now": timezone.now()})


def _form(request: HttpRequest, article: Article | None, initial: dict[str, Any] | None = None) -> ArticleForm:
    topics = [(t.slug, t.label) for t in Topic.objects.all()]
    others = [(a.slug, a.title) for a in Article.objects.exclude(pk=article.pk if article else None).order_by("title")]
    originals = [(a.slug, f"{a.title} ({a.language})") for a in Article.objects.filter(translation_of__isnull=True)
                 .exclude(pk=article.pk if article else None).order_by("title")]
    return ArticleForm(request.POST or None, initial=initial, topics=topics, articles=others, new=article is None,
                       originals=originals)


def _save(request: HttpRequest, article: Article | None, form: ArticleForm) -> Article | None:
    """Save as the button asked; None (with the errors on the form) when something is wrong."""
    action = request.POST.get("action", "draft")
    if not form.is_valid():
        return None
    data = {**form.cleaned_data}
    publish_at = data.pop("publish_at", None)
    try:
        return services.save_article(article, request.user, data, action, publish_at=publish_at,
                                     base=form_version(request.POST.get("base")))
    except EditConflict as exc:
        form.conflict = exc.current  # type: ignore[attr-defined]  # shown beside what was typed
        return None
    except services.FieldErrors as exc:
        for key, message in exc.errors.items():
            form.add_error(key if key in form.fields else None, message)
        return None


_SAVED = {"draft": gettext_noop("Draft saved. Readers see it once you publish it."),
          "publish": gettext_noop("Published: readers see it now."),
          "schedule": gettext_noop("Scheduled: readers see it from the time you chose.")}


@editor_only
def new_article(request: HttpRequest) -> HttpResponse:
    form = _form(request, None)
    if request.method == "POST":
        saved = _save(request, None, form)
        if saved is not None:
            messages.success(request, gettext(_SAVED.get(request.POST.get("action", "draft"), gettext_noop("Saved."))))
            return redirect("learn_edit", slug=saved.slug)
    preview = render_markdown(form.data.get("body", "")[:BODY_MAX]) if form.is_bound else ""
    return render(request, "learn/manage/edit.html", {"form": form, "article": None, "preview": preview},
                  status=400 if form.errors else 200)


@editor_only
def edit_article(request: HttpRequest, slug: str) -> HttpResponse:
    article = _article(slug)
    draft = services.draft_of(article)
    form = _form(request, article, initial={"title": draft.title, "summary": draft.summary, "body": draft.body,
                                            "topics": draft.topics, "related": draft.related,
                                            "language": draft.language, "translation_of": draft.translation_of})
    if request.method == "POST":
        saved = _save(request, article, form)
        if saved is not None:
            messages.success(request, gettext(_SAVED.get(request.POST.get("action", "draft"), gettext_noop("Saved."))))
            return redirect("learn_edit", slug=saved.slug)
    body = form.data.get("body", "") if form.is_bound else draft.body
    conflict = getattr(form, "conflict", None)
    newest = services.newest(article)
    context = {
        "form": form, "article": article, "preview": render_markdown(body[:BODY_MAX]),
        "unpublished": services.has_unpublished_changes(article), "base": newest.number if newest else "",
        "image_form": ImageForm(), "mode_form": CommentsModeForm(initial={"comments_mode": article.comments_mode}),
    }
    if conflict is not None:
        # Another editor saved after this one opened the page: both versions side by side; saving
        # again (now based on the newest revision) is a deliberate choice to replace it.
        typed = form.data
        context.update(conflict_rows=conflict_rows(
            {"Title": conflict.title, "Summary": conflict.summary, "Article (Markdown)": conflict.body},
            {"Title": typed.get("title", ""), "Summary": typed.get("summary", ""),
             "Article (Markdown)": typed.get("body", "")}),
            conflict_saved_at=conflict.created_at, conflict_keep_url=reverse("learn_edit", args=[article.slug]))
        return render(request, "learn/manage/edit.html", context, status=409)
    return render(request, "learn/manage/edit.html", context, status=400 if form.errors else 200)


@editor_only
@require_POST
def preview(request: HttpRequest) -> HttpResponse:
    """The live preview (htmx): the body as readers would see it, sanitised the same way."""
    body = request.POST.get("body", "")
    if len(body) > BODY_MAX:
        message = gettext("The article is %(length)s characters long; the limit is %(limit)s.") % {
            "length": count(len(body)), "limit": count(BODY_MAX)}
        return HttpResponse(format_html('<p class="field-error">{}</p>', message), status=200)
    return render(request, "learn/manage/_preview.html", {"html": render_markdown(body)})


@editor_only
@require_POST
def article_image(request: HttpRequest, slug: str) -> HttpResponse:
    article = _article(slug)
    if request.POST.get("remove"):
        services.remove_image(article, request.user)
        messages.success(request, gettext("The picture was removed."))
        return redirect("learn_edit", slug=article.slug)
    form = ImageForm(request.POST, request.FILES)
    upload = request.FILES.get("image")
    raw = upload.read(services_max_bytes() + 1) if upload is not None else None
    try:
        if not form.is_valid():
            raise services.FieldErrors({k: " ".join(v) for k, v in form.errors.items()})
        services.set_image(article, request.user, raw, form.cleaned_data["alt"])
    except services.FieldErrors as exc:
        for key, message in exc.errors.items():
            if key in form.fields and key not in form.errors:
                form.add_error(key, message)
        draft = services.draft_of(article)
        return render(request, "learn/manage/image.html", {"article": article, "image_form": form,
                                                           "draft": draft}, status=400)
    messages.success(request, gettext("The picture is saved with its description."))
    return redirect("learn_edit", slug=article.slug)


def services_max_bytes() -> int:
    from thaw.learn.images import MAX_BYTES

    return MAX_BYTES


@editor_only
@require_POST
def article_settings(request: HttpRequest, slug: str) -> HttpResponse:
    """Comments on, held or off; or take the article down (unpublish)."""
    article = _article(slug)
    if request.POST.get("unpublish"):
        services.unpublish(article, request.user)
        messages.success(request, gettext("Unpublished: readers no longer see it. Publish it again whenever you like."))
        return redirect("learn_edit", slug=article.slug)
    try:
        services.set_comments_mode(article, request.user, request.POST.get("comments_mode"))
    except services.FieldErrors:
        messages.error(request, gettext("Choose whether comments are on, held for an editor, or off."))
    else:
        messages.success(request, gettext("Comment setting saved."))
    return redirect("learn_edit", slug=article.slug)


@editor_only
def revisions(request: HttpRequest, slug: str) -> HttpResponse:
    article = _article(slug)
    return render(request, "learn/manage/revisions.html", {
        "article": article, "revisions": article.revisions.select_related("author")})


@editor_only
def revision(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    article = _article(slug)
    found = Revision.objects.filter(article=article, number=number).select_related("author").first()
    if found is None:
        raise Http404("No such revision.")
    if request.method == "POST":
        copy = services.restore(article, found, request.user)
        messages.success(request, gettext("Version %(old)s is back in the editor as version %(new)s, a draft. Publish it to "
                                          "show it to readers.") % {"old": found.number, "new": copy.number})
        return redirect("learn_edit", slug=article.slug)
    return render(request, "learn/manage/revision.html", {"article": article, "revision": found,
                                                          "html": render_markdown(found.body)})


@editor_only
def comments(request: HttpRequest) -> HttpResponse:
    recent = (Comment.objects.exclude(status=CommentStatus.HELD).select_related("article")
              .order_by("-reviewed_at", "-id")[:20])
    return render(request, "learn/manage/comments.html", {"queue": list(services.moderation_queue()[:100]),
                                                          "recent": list(recent), "reply_form": ReplyForm()})


@editor_only
@require_POST
def moderate(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = Comment.objects.filter(pk=access.db_id(comment_id) or 0).select_related("article").first()
    if comment is None:
        raise Http404("No such comment.")
    form = ReplyForm(request.POST)
    action = request.POST.get("action", "")
    try:
        if not form.is_valid():
            raise services.FieldErrors({k: " ".join(v) for k, v in form.errors.items()})
        services.moderate(comment, request.user, action, form.cleaned_data["reply"])
    except services.FieldErrors as exc:
        recent = Comment.objects.none()
        for key, message in exc.errors.items():
            if key in form.fields and key not in form.errors:
                form.add_error(key, message)
        return render(request, "learn/manage/comments.html", {
            "queue": list(services.moderation_queue()[:100]), "recent": list(recent), "reply_form": ReplyForm(),
            "failed": comment.pk, "failed_form": form, "problem": "; ".join(exc.errors.values())}, status=400)
    done = {"approve": gettext_noop("Approved: it is shown under the article."),
            "reject": gettext_noop("Rejected: it will not be shown."),
            "reply": gettext_noop("Your reply is shown under the comment.")}
    messages.success(request, gettext(done.get(action, gettext_noop("Done."))))
    return redirect("learn_comments")


# --- programs' public pages ----------------------------------------------------------------------

@program_editor_only
def program_pages(request: HttpRequest) -> HttpResponse:
    from thaw.clinic.models import Program

    return render(request, "learn/manage/programs.html", {
        "programs": Program.objects.select_related("page").order_by("name")})


def _page_slug(name: str) -> str:
    from django.utils.text import slugify

    base = slugify(name)[:70] or "program"
    slug, n = base, 2
    while ProgramPage.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@program_editor_only
def edit_program_page(request: HttpRequest, program_id: int) -> HttpResponse:
    from thaw.clinic.models import Program

    program = Program.objects.filter(pk=access.db_id(program_id) or 0).first()
    if program is None:
        raise Http404("No such program.")
    page = ProgramPage.objects.filter(program=program).first()
    initial = ({"summary": page.summary, "body": page.body, "format": page.format, "regions": ", ".join(page.regions),
                "schedule": page.schedule, "length": page.length, "public": page.public, "example": page.example}
               if page else {"public": True})
    form = ProgramPageForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        regions = [r.strip() for r in data["regions"].split(",") if r.strip()]
        if not regions:
            form.add_error("regions", gettext("Name at least one state or region people can join from"))
        else:
            from django.db import transaction

            with transaction.atomic():
                page = page or ProgramPage(program=program, slug=_page_slug(program.name))
                page.summary, page.body, page.body_html = data["summary"].strip(), data["body"], render_markdown(data["body"])
                page.format, page.regions = data["format"], regions
                page.schedule, page.length, page.public = data["schedule"].strip(), data["length"].strip(), data["public"]
                page.example = data["example"]
                page.updated_at, page.updated_by = timezone.now(), request.user
                page.save()
                record("program_page.saved", actor=request.user, program=program.pk, public=page.public,
                       example=page.example)
            messages.success(request, gettext("The program's public page is saved."))
            return redirect("learn_program_page", program_id=program.pk)
    return render(request, "learn/manage/program.html", {"program": program, "page": page, "form": form},
                  status=400 if form.errors else 200)
