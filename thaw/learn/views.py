"""Learn's public pages: the visitor's home, the article lists, an article, its comment form,
an article's picture, and the programs' public pages. Plain function views: parse, call, render.

The article page sets no cookie and reads nothing about the reader: a view is counted in this
process's memory (``thaw.learn.counter``). The comment form is a page of its own, so an article
itself needs no CSRF cookie.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext, ngettext
from django.views.decorators.http import require_GET

from thaw.core.net import client_ip
from thaw.learn import counter, pagecache, services, spam
from thaw.learn.forms import CommentForm
from thaw.learn.models import CommentMode, ProgramPage, Topic
from thaw.validation import count

RECENT = 6
# The link to an article's translation is written in the translation's language, whatever the
# page's: it is for the reader who reads that language.
READ_IN = {"en": "Read in English", "es": "Leer en español"}


def reading_language() -> str:
    """The reader's language, as the language middleware resolved it (thaw.core.language)."""
    from thaw.core.language import site_default, supported

    return supported(get_language()) or site_default()


def public_home(request: HttpRequest) -> HttpResponse:
    """What a signed-out visitor sees at /: the clinic's front door."""
    return render(request, "learn/public_home.html", {
        "latest": list(services.live_articles(language=reading_language())[:4]),
        "programs": list(ProgramPage.objects.filter(public=True).select_related("program")),
    })


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """/learn/: recent posts and the topics; with ?topic= or ?q=, the matching articles."""
    topics = list(Topic.objects.all())
    language = reading_language()
    topic_slug = request.GET.get("topic", "")
    query = request.GET.get("q", "")[:200].strip()
    topic = next((t for t in topics if t.slug == topic_slug), None)
    if topic_slug and topic is None:
        return render(request, "learn/index.html", {"topics": topics, "unknown_topic": True, "query": query},
                      status=404)
    if topic is None and not query:
        return render(request, "learn/index.html", {"topics": topics, "recent": list(services.live_articles(language=language)[:RECENT])})
    found = services.live_articles(language=language)
    if topic is not None:
        found = found.filter(topics=topic)
    if query:
        found = services.search(found, query)
    return render(request, "learn/index.html", {"topics": topics, "topic": topic, "query": query,
                                                "found": list(found[:100]), "filtered": True})


@require_GET
def all_articles(request: HttpRequest) -> HttpResponse:
    page = Paginator(services.live_articles(language=reading_language()), services.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "learn/all.html", {"page": page})


@require_GET
def article(request: HttpRequest, slug: str) -> HttpResponse:
    # A reader with no cookie and no query sees exactly what every such reader sees: served from
    # this process's copy while the article's row is unchanged (thaw.learn.pagecache).
    plain = not request.COOKIES and not request.GET
    if plain:
        cached = pagecache.lookup(slug)
        if cached is not None:
            counter.count(cached.article_id)
            return HttpResponse(cached.html)
    found = services.live_article(slug)
    if found is None:
        return render(request, "learn/missing.html", {"slug": slug}, status=404)
    stamp = pagecache.stamp(slug) if plain else None
    counter.count(found.pk)
    posted = request.GET.get("comment", "")
    from thaw.circle.services import site_url

    image_url = site_url(reverse("learn_image", args=[found.image.digest])) if found.image else ""
    versions = services.versions_of(found)
    alternates = [{"language": a.language, "url": site_url(reverse("learn_article", args=[a.slug]))}
                  for a in sorted([found, *versions], key=lambda a: a.language)] if versions else []
    response = render(request, "learn/article.html", {
        "article": found, "canonical": site_url(reverse("learn_article", args=[found.slug])), "image_url": image_url,
        "versions": [{"article": a, "read_in": READ_IN.get(a.language, a.language)} for a in versions],
        "alternates": alternates, "mine": any(a.language == reading_language() for a in versions),
        "topics": list(found.topics.all()), "related": services.related_to(found, reading_language()),
        "comments": services.shown_comments(found), "posted": posted if posted in ("held", "published") else "",
        "comments_open": found.comments_mode != CommentMode.OFF,
    })
    if stamp is not None:
        pagecache.keep(slug, found.pk, stamp, response.content)
    return response


def comment(request: HttpRequest, slug: str) -> HttpResponse:
    found = services.live_article(slug)
    if found is None:
        return render(request, "learn/missing.html", {"slug": slug}, status=404)
    if found.comments_mode == CommentMode.OFF:
        return render(request, "learn/comment.html", {"article": found, "off": True}, status=403)
    initial = {"name": request.user.display_name} if request.user.is_authenticated else {}
    form = CommentForm(request.POST or None, initial=initial)
    status, problem = 200, None
    if request.method == "POST":
        problem = spam.check(request, "comment", gettext("Your comment"))
        if form.is_valid() and problem is None:
            try:
                posted = services.post_comment(found, name=form.cleaned_data["name"], body=form.cleaned_data["body"],
                                               author=request.user, address=client_ip(request))
            except services.CommentsOff:
                return render(request, "learn/comment.html", {"article": found, "off": True}, status=403)
            except services.TooMany as exc:
                minutes = max(1, exc.wait // 60)
                problem = ngettext(
                    "Thank you for writing so much. To keep spam out, Thaw takes a few comments an hour from one "
                    "place; please send this one in %(minutes)s minute. Your comment is still here.",
                    "Thank you for writing so much. To keep spam out, Thaw takes a few comments an hour from one "
                    "place; please send this one in %(minutes)s minutes. Your comment is still here.",
                    minutes) % {"minutes": count(minutes)}
                status = 429
            except services.FieldErrors as exc:
                for key, message in exc.errors.items():
                    form.add_error(key if key in form.fields else None, message)
            else:
                if posted.crisis:
                    return redirect(f"{reverse('crisis')}?from=comment&article={found.slug}")
                return redirect(f"{reverse('learn_article', args=[found.slug])}?comment={posted.status}#comments")
        if status == 200:
            status = 400 if form.errors or problem else 200
    return render(request, "learn/comment.html", {
        "article": found, "form": form, "problem": problem, "started": spam.started_token("comment"),
        "held": found.comments_mode == CommentMode.HELD}, status=status)


@require_GET
def image(request: HttpRequest, digest: str) -> HttpResponse:
    found = services.servable_image(digest, request.user)
    if found is None:
        raise Http404("No such picture.")
    response = HttpResponse(bytes(found.data), content_type=found.content_type)
    response["Cache-Control"] = "public, max-age=31536000, immutable"  # the address is the content's hash
    response["Content-Disposition"] = "inline"
    return response


@require_GET
def programs(request: HttpRequest) -> HttpResponse:
    pages = list(ProgramPage.objects.filter(public=True).select_related("program"))
    return render(request, "learn/programs.html", {"pages": pages})


def upcoming_sessions(page: ProgramPage, limit: int = 6) -> list[Any]:
    """The program's next group sessions: when, and how long; never who or what about."""
    from thaw.schedule.models import Session, SessionKind

    return list(Session.objects.filter(program_id=page.program_id, kind=SessionKind.GROUP, cancelled_at__isnull=True,
                                       starts_at__gt=timezone.now())
                .order_by("starts_at").values("starts_at", "ends_at")[:limit])


@require_GET
def program(request: HttpRequest, slug: str) -> HttpResponse:
    page = ProgramPage.objects.filter(public=True, slug=slug).select_related("program").first()
    if page is None:
        return render(request, "learn/missing.html", {"slug": slug, "program": True}, status=404)
    return render(request, "learn/program.html", {"page": page, "sessions": upcoming_sessions(page)})
