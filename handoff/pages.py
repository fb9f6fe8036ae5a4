"""The HTML pages: demo store front, agent inbox and ops review.

The pages are static files; everything dynamic comes from the JSON API through their
JavaScript, so the Content-Security-Policy can forbid inline scripts.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from handoff.web_security import CONTENT_SECURITY_POLICY

STATIC_DIR = Path(__file__).resolve().parent / "static"
PAGES_DIR = STATIC_DIR / "pages"

# Same policy as the pages' <meta> tag; a header also covers what the meta tag cannot
# (frame-ancestors). handoff.web_security sends it on every response; set here as well so
# the page is protected even when served without that middleware.

router = APIRouter(include_in_schema=False)


def _page(filename: str) -> FileResponse:
    return FileResponse(
        PAGES_DIR / filename,
        media_type="text/html; charset=utf-8",
        headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY, "Cache-Control": "no-cache"},
    )


@router.get("/", name="store_page")
def store_page() -> FileResponse:
    return _page("store.html")


@router.get("/inbox", name="inbox_page")
def inbox_page() -> FileResponse:
    return _page("inbox.html")


@router.get("/ops", name="ops_transcripts_page")
def ops_transcripts_page() -> FileResponse:
    return _page("ops.html")


@router.get("/ops/dashboard", name="ops_dashboard_page")
def ops_dashboard_page() -> FileResponse:
    return _page("dashboard.html")
