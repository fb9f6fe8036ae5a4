"""A database that is busy or unreachable is answered 503 with Retry-After, never a 500.

By the time an error gets here it was already waited out: SQLite's busy timeout
(SQLITE_BUSY_SECONDS) and, for the inbox's units of work, store.db.in_session's retries.
Nothing of the request was committed, so the client may simply send it again.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError

from store.db import PoolTimeout

logger = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 2


async def database_busy(request: Request, error: Exception) -> JSONResponse:
    logger.warning("Database busy or unreachable for %s %s: %s", request.method,
                   request.url.path, type(error).__name__)
    return JSONResponse({"detail": "The service is busy; try again in a moment"},
                        status_code=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def install(app: FastAPI) -> None:
    for error_class in (OperationalError, PoolTimeout):
        app.add_exception_handler(error_class, database_busy)
