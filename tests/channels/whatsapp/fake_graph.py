"""A local stand-in for Meta's Graph API: records what we send, answers like Meta.

Runs as a real HTTP server (uvicorn in a thread) on a free port, so the gateway under test,
in-process or a separate process, talks to it exactly as it would to graph.facebook.com.
Besides messages it keeps files: uploads (POST /{phone-number-id}/media, multipart), media
URL lookups (GET /{media-id}) and downloads from the URL it handed out (Bearer token only).
"""

from __future__ import annotations

import asyncio
import email.parser
import email.policy
import hashlib
import itertools
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from scripts.processes import free_port


@dataclass
class SentRequest:
    path: str
    authorization: str | None
    body: dict[str, Any]
    wamid: str | None = None  # what the fake answered


@dataclass
class UploadedFile:
    """One POST /{phone-number-id}/media: the form's fields and the file."""

    authorization: str | None
    fields: dict[str, str]
    filename: str | None
    content_type: str
    data: bytes


@dataclass
class ServedMedia:
    """A customer's file Meta holds for a media id; `file_size`/`sha256` may lie."""

    data: bytes
    mime_type: str
    file_size: int | None = None
    sha256: str | None = None


def _meta_error(status: int, message: str, code: int) -> JSONResponse:
    return JSONResponse({"error": {"message": message, "code": code, "type": "OAuthException"}},
                        status_code=status)


def _multipart(content_type: str, body: bytes) -> tuple[dict[str, str], tuple | None]:
    """(text fields, (filename, type, bytes) of the file part) of a multipart/form-data body,
    read with the standard library's MIME parser."""
    parsed = email.parser.BytesParser(policy=email.policy.default).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
    fields, file = {}, None
    for part in parsed.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if part.get_filename() is not None:
            file = (part.get_filename(), part.get_content_type(), part.get_payload(decode=True))
        else:
            fields[name] = part.get_payload(decode=True).decode()
    return fields, file


@dataclass
class FakeGraphApi:
    port: int
    sent: list[SentRequest] = field(default_factory=list)
    failures: list[int] = field(default_factory=list)  # status codes to answer next, in order
    uploads: list[UploadedFile] = field(default_factory=list)
    media: dict[str, ServedMedia] = field(default_factory=dict)  # media id -> file
    downloads: list[str | None] = field(default_factory=list)  # Authorization of each GET
    # Status codes to answer next, per endpoint: "upload", "lookup", "download".
    media_failures: dict[str, list[int]] = field(default_factory=dict)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def fail_next(self, *statuses: int) -> None:
        self.failures.extend(statuses)

    def fail_media_next(self, endpoint: str, *statuses: int) -> None:
        self.media_failures.setdefault(endpoint, []).extend(statuses)

    def serve(self, media_id: str, data: bytes, mime_type: str, **lies: Any) -> None:
        """Meta holds `data` for `media_id`, as a customer's file."""
        self.media[media_id] = ServedMedia(data, mime_type, **lies)

    def reset(self) -> None:
        self.sent.clear()
        self.failures.clear()
        self.uploads.clear()
        self.media.clear()
        self.downloads.clear()
        self.media_failures.clear()

    def _failure(self, endpoint: str) -> JSONResponse | None:
        queued = self.media_failures.get(endpoint)
        if not queued:
            return None
        code = queued.pop(0)
        return _meta_error(code, "fake failure", code * 10)

    def to(self, wa_id: str) -> list[dict[str, Any]]:
        return [r.body for r in self.sent if r.body.get("to") == wa_id]

    async def wait_for(self, predicate: Any, timeout: float = 60) -> dict[str, Any]:
        """The first sent message body matching predicate, waiting for it to arrive."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for request in list(self.sent):
                if predicate(request.body):
                    return request.body
            await asyncio.sleep(0.1)
        raise AssertionError(f"nothing matching was sent; sent: {[r.body for r in self.sent]}")

    def app(self) -> FastAPI:
        app = FastAPI()

        # Before the lookup route: its two segments would match /{version}/{media_id} too.
        @app.get("/whatsapp_business/attachments/")
        async def download(mid: str, request: Request) -> Response:
            self.downloads.append(request.headers.get("authorization"))
            if request.headers.get("authorization") != "Bearer test-access-token":
                return _meta_error(401, "Invalid OAuth access token", 190)
            failure = self._failure("download")
            if failure or mid not in self.media:
                return failure or _meta_error(404, "Media not found", 100)
            served = self.media[mid]
            return Response(served.data, media_type=served.mime_type)

        @app.get("/{version}/{media_id}")
        async def lookup(version: str, media_id: str) -> JSONResponse:
            failure = self._failure("lookup")
            if failure:
                return failure
            if media_id not in self.media:
                return _meta_error(404, "Unsupported get request. Object with ID "
                                   f"'{media_id}' does not exist", 100)
            served = self.media[media_id]
            return JSONResponse({
                "messaging_product": "whatsapp", "id": media_id, "mime_type": served.mime_type,
                "url": f"{self.base_url}/whatsapp_business/attachments/?mid={media_id}",
                "sha256": served.sha256 or hashlib.sha256(served.data).hexdigest(),
                "file_size": str(served.file_size or len(served.data))})

        @app.post("/{version}/{phone_number_id}/media")
        async def upload(version: str, phone_number_id: str, request: Request) -> JSONResponse:
            fields, file = _multipart(request.headers.get("content-type", ""),
                                      await request.body())
            if file is None or fields.get("messaging_product") != "whatsapp":
                return _meta_error(400, "(#100) The parameter file is required.", 100)
            self.uploads.append(UploadedFile(request.headers.get("authorization"), fields,
                                             *file))
            return self._failure("upload") or JSONResponse({"id": f"{next(self._ids)}0042"})

        @app.post("/{version}/{phone_number_id}/messages")
        async def messages(version: str, phone_number_id: str, request: Request) -> JSONResponse:
            body = await request.json()
            sent = SentRequest(request.url.path, request.headers.get("authorization"), body)
            self.sent.append(sent)
            if self.failures:
                code = self.failures.pop(0)
                return _meta_error(code, "fake failure", code * 10)
            sent.wamid = f"wamid.OUT{next(self._ids)}"
            return JSONResponse({
                "messaging_product": "whatsapp",
                "contacts": [{"input": body.get("to"), "wa_id": body.get("to")}],
                "messages": [{"id": sent.wamid}],
            })

        return app


class RunningServer:
    """uvicorn serving one app in a background thread until stop()."""

    def __init__(self, app: FastAPI, port: int) -> None:
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                                    log_level="warning", lifespan="off",
                                                    ws="none"))  # websockets is pinned to 10
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("fake Graph API did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def start_fake_graph() -> tuple[FakeGraphApi, RunningServer]:
    fake = FakeGraphApi(free_port())
    server = RunningServer(fake.app(), fake.port)
    server.start()
    return fake, server
