"""The HTML pages: demo store front, agent inbox, ops review, account administration and
the API docs.

Each page file under static/pages holds only its <body>; the <head> every page shares is
written once here. Everything dynamic comes from the JSON API through the pages'
JavaScript, so the Content-Security-Policy can forbid inline scripts.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import fastapi_offline
from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse

from handoff.web_security import CONTENT_SECURITY_POLICY

STATIC_DIR = Path(__file__).resolve().parent / "static"
PAGES_DIR = STATIC_DIR / "pages"
# The <meta> tag carries the policy for a page saved to disk; a meta tag cannot say
# frame-ancestors, so that part comes only with the header (handoff.web_security sends it on
# every response; it is set here as well, so a page is protected even without that middleware).
META_POLICY = "; ".join(part for part in CONTENT_SECURITY_POLICY.split("; ")
                        if not part.startswith("frame-ancestors"))
HEAD = """<!doctype html>
<html lang="{lang}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
  <meta http-equiv="Content-Security-Policy" content="{policy}">
  <title>{title}</title>
  <link rel="icon" href="/favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="/static/css/{stylesheet}">
{script}</head>
"""


@dataclass(frozen=True)
class Page:
    body: str  # file under static/pages
    title: str
    lang: str = "en"
    stylesheet: str = "app.css"
    script: str | None = None  # module under static/js


STORE = Page("store.html", "Toko Nusa — Kerajinan &amp; kebutuhan rumah", lang="id",
             stylesheet="store.css")
INBOX = Page("inbox.html", "Inbox — Toko Nusa", script="inbox.js")
OPS_TRANSCRIPTS = Page("ops.html", "Transcripts — Toko Nusa", script="ops-transcripts.js")
OPS_DASHBOARD = Page("dashboard.html", "Dashboard — Toko Nusa", script="ops-dashboard.js")
ADMIN = Page("admin.html", "Accounts — Toko Nusa", script="admin.js")
API_DOCS = Page("api-docs.html", "API — Toko Nusa")
# Swagger UI's own files, served from this origin under /docs-assets (no CDN).
SWAGGER_UI_DIR = Path(fastapi_offline.__file__).resolve().parent / "static"

router = APIRouter(include_in_schema=False)


@lru_cache(maxsize=8)
def render(page: Page) -> str:
    script = (f'  <script type="module" src="/static/js/{page.script}"></script>\n'
              if page.script else "")
    head = HEAD.format(lang=page.lang, policy=META_POLICY, title=page.title,
                       stylesheet=page.stylesheet, script=script)
    return head + (PAGES_DIR / page.body).read_text(encoding="utf-8") + "</html>\n"


def _page(page: Page) -> HTMLResponse:
    return HTMLResponse(
        render(page),
        headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY, "Cache-Control": "no-cache"},
    )


@router.get("/", name="store_page")
def store_page() -> HTMLResponse:
    return _page(STORE)


@router.get("/inbox", name="inbox_page")
def inbox_page() -> HTMLResponse:
    return _page(INBOX)


@router.get("/ops", name="ops_transcripts_page")
def ops_transcripts_page() -> HTMLResponse:
    return _page(OPS_TRANSCRIPTS)


@router.get("/ops/dashboard", name="ops_dashboard_page")
def ops_dashboard_page() -> HTMLResponse:
    return _page(OPS_DASHBOARD)


@router.get("/admin", name="admin_page")
def admin_page() -> HTMLResponse:
    return _page(ADMIN)


@router.get("/docs", name="api_docs_page")
def api_docs_page() -> HTMLResponse:
    return _page(API_DOCS)


@router.get("/favicon.svg", name="favicon")
@router.get("/favicon.ico")  # asked for by browsers and bookmarks that ignore the <link>
def favicon() -> FileResponse:
    return FileResponse(STATIC_DIR / "favicon.svg", media_type="image/svg+xml",
                        headers={"Cache-Control": "public, max-age=86400"})
