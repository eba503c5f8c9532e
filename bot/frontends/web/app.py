"""The HTTP API and the chat page: thin routes that ask the engine and return Answer payloads."""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from bot.answering.question import QuestionError
from bot.footnote import Footnote
from bot.frontends.conversations import Conversations
from bot.frontends.feedback import FeedbackLog, SentAnswers
from bot.frontends.payload import answer_payload
from bot.frontends.state import StateStore
from bot.frontends.timelines import timeline_payload
from bot.frontends.web.access import bearer_token, matches
from bot.frontends.web.body_limit import BodyLimit
from bot.frontends.web.passages import RangeError, passage_view
from bot.frontends.web.rate_limit import RateLimiter, retry_after
from bot.frontends.web.schema import AskRequest, FeedbackRequest, TimelineRequest
from bot.frontends.workers import AnsweringPool, Busy
from bot.settings import Settings
from index.errors import FootnoteError, IndexCorruptError
from index.scope import Scope, ScopeError

STATIC = Path(__file__).parent / "static"
BUSY = "Footnote is busy answering other questions; please try again in a minute."
NEEDS_KEY = "This API needs a key: send the header 'Authorization: Bearer <FOOTNOTE_API_KEY>'."
REINDEX_OFF = (
    "Reindexing over the API is turned off; the server's admin turns it on by setting "
    "FOOTNOTE_ADMIN_KEY."
)
NEEDS_ADMIN_KEY = "Reindexing needs the admin key: 'Authorization: Bearer <FOOTNOTE_ADMIN_KEY>'."
INTERNAL = "Something went wrong on the server; its log has the details."
# The chat page inserts article text as text; this policy is the second lock: no inline script,
# nothing loaded from anywhere but this server, no plugins, no framing by other sites.
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_log = logging.getLogger("footnote.serve")


@dataclass
class WebState:
    """What the routes share: the engine, the answering pool, and the conversation memory."""

    engine: Footnote
    settings: Settings
    pool: AnsweringPool
    limiter: RateLimiter
    feedback: FeedbackLog
    conversations: Conversations
    sent: SentAnswers
    reindexing: asyncio.Lock = field(default_factory=asyncio.Lock)


def create_app(engine: Footnote, settings: Settings) -> FastAPI:
    """The ASGI app `footnote serve` runs: /api/* (OpenAPI docs at /docs) and the page at /."""
    app = FastAPI(
        title="Footnote",
        summary="Answers questions from your articles, quoting them with numbered citations.",
        version="0.1.0",
        docs_url=None,  # served below from the packaged Swagger UI, not a CDN
        redoc_url=None,
    )
    store = StateStore(settings.state_path)  # conversations and answers survive a restart
    state = WebState(
        engine=engine,
        settings=settings,
        pool=AnsweringPool(settings.answer_workers, settings.answer_queue),
        limiter=RateLimiter(settings.api_rate_per_minute),
        feedback=FeedbackLog(settings.feedback_log),
        conversations=Conversations(store=store, namespace="web"),
        sent=SentAnswers(store=store, namespace="web"),
    )
    app.state.web = state
    app.include_router(_api(state))
    _add_page(app)
    _add_errors(app)
    app.add_middleware(BodyLimit, limit=settings.api_max_body_bytes)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
        )
    app.router.on_shutdown.append(state.pool.close)
    app.router.on_shutdown.append(store.close)
    return app


def _api(state: WebState) -> APIRouter:
    def authorized(request: Request) -> None:
        key, admin = state.settings.api_key, state.settings.admin_key
        token = bearer_token(request.headers.get("authorization"))
        if key and not (matches(token, key) or matches(token, admin)):
            raise HTTPException(401, NEEDS_KEY, headers={"WWW-Authenticate": "Bearer"})

    def rate_limited(request: Request) -> None:
        wait = state.limiter.wait_for(_client(request))
        if wait > 0:
            raise HTTPException(
                429,
                f"Too many requests from this client; try again in {retry_after(wait)} s.",
                headers={"Retry-After": retry_after(wait)},
            )

    api = APIRouter(prefix="/api", dependencies=[Depends(authorized)])
    limited = [Depends(rate_limited)]

    @api.post("/ask", dependencies=limited, summary="Answer a question")
    async def ask(body: AskRequest) -> dict[str, Any]:
        """The object `footnote ask --json` prints, plus `conversation_id` (send it back for a
        follow-up) and `answer_id` (for feedback)."""
        conversation_id = body.conversation_id or uuid.uuid4().hex
        context = state.conversations.context(conversation_id)
        try:
            scope = _scope(body)
            answer = await state.pool.run(
                state.engine.ask, body.question, k=body.k, context=context, scope=scope
            )
        except (QuestionError, ScopeError) as error:
            raise HTTPException(422, str(error)) from None
        except Busy:
            raise HTTPException(503, BUSY, headers={"Retry-After": "60"}) from None
        except IndexCorruptError as error:
            # A mapped index file cut under the running server (index/mapping.py): one line in
            # the log and a reply that says what to do, not a 500 with a traceback.
            _log.error("%s", error)
            raise HTTPException(503, str(error)) from None
        state.conversations.remember([conversation_id], context, answer)
        answer_id = uuid.uuid4().hex
        state.sent.add(answer_id, answer)
        return {
            **answer_payload(answer),
            "conversation_id": conversation_id,
            "answer_id": answer_id,
        }

    @api.post("/timeline", dependencies=limited, summary="Dated quotes about a topic")
    async def timeline(body: TimelineRequest) -> dict[str, Any]:
        """The object `footnote timeline --json` prints: one dated verbatim quote per report,
        oldest first, the undated last; a report several outlets carried is one entry."""
        try:
            scope = _scope(body)
            found = await state.pool.run(state.engine.timeline, body.topic, scope=scope)
        except (QuestionError, ScopeError) as error:
            raise HTTPException(422, str(error)) from None
        except Busy:
            raise HTTPException(503, BUSY, headers={"Retry-After": "60"}) from None
        except IndexCorruptError as error:
            _log.error("%s", error)
            raise HTTPException(503, str(error)) from None
        return timeline_payload(found)

    @api.get("/articles/{article_id:path}", dependencies=limited, summary="A cited passage")
    async def article(
        article_id: str,
        start: int | None = Query(default=None, ge=0),
        end: int | None = Query(default=None, ge=0),
    ) -> dict[str, Any]:
        """article[start:end] as `passage`, with the text `before` and `after` it."""
        found = state.engine.index.articles.get(article_id)
        if found is None:
            raise HTTPException(404, f"There is no article {article_id!r} in the index.")
        try:
            return passage_view(found, start, end)
        except RangeError as error:
            raise HTTPException(422, str(error)) from None

    @api.post("/feedback", dependencies=limited, summary="Vote on an answer")
    async def feedback(body: FeedbackRequest, request: Request) -> dict[str, str]:
        """A 👍/👎 on an answer, appended to the same feedback log as Discord's reactions."""
        answer = state.sent.get(body.answer_id)
        if answer is None:
            raise HTTPException(
                404,
                "That answer is not known here (it is from another server, or too old); "
                "ask again to vote on it.",
            )
        voter = f"web:{_client(request)}"
        await asyncio.to_thread(state.feedback.record, answer, body.vote, voter)
        return {"status": "recorded", "vote": body.vote}

    @api.post("/reindex", dependencies=limited, summary="Rebuild the index (admin key)")
    async def reindex(request: Request) -> dict[str, Any]:
        """Rebuild from the corpus; answers go on from the old index until the new one is in."""
        admin = state.settings.admin_key
        if not admin:
            raise HTTPException(403, REINDEX_OFF)
        if not matches(bearer_token(request.headers.get("authorization")), admin):
            raise HTTPException(403, NEEDS_ADMIN_KEY)
        if state.reindexing.locked():
            raise HTTPException(409, "A reindex is already running.")
        async with state.reindexing:
            try:
                report = await asyncio.to_thread(state.engine.reindex)
            except (FootnoteError, OSError) as error:
                _log.exception("reindex failed")
                raise HTTPException(
                    500, f"The reindex failed ({error}); the previous index is still answering."
                ) from None
        return {
            "status": "reindexed",
            "articles": report.articles,
            "chunks": report.chunks,
            "sentences": report.sentences,
            "embedded": report.embedded,
            "reused": report.reused,
            "seconds": round(report.seconds, 2),
            # Article ids against the index replaced; null when that one could not be read.
            **{
                what: list(getattr(report, what)) if report.compared else None
                for what in ("added", "changed", "removed")
            },
            "skipped": [{"path": s.path, "reason": s.reason} for s in report.skipped],
        }

    @api.get("/health", summary="Is an index loaded, and what is in it")
    async def health() -> dict[str, Any]:
        index = state.engine.index
        return {
            "status": "ok",
            "index_loaded": True,
            "articles": len(index.articles),
            "chunks": len(index.chunks),
            "embedder": state.settings.embedder,
            "reader": state.engine.reader.folder.name,
            "reindexing": state.reindexing.locked(),
            "questions_in_flight": state.pool.in_flight,
        }

    return api


def _add_page(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    docs_assets = _swagger_assets()
    if docs_assets:
        app.mount("/docs-assets", StaticFiles(directory=docs_assets), name="docs-assets")

    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        if not docs_assets:
            return HTMLResponse("The API description is at /openapi.json.", status_code=200)
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="Footnote API",
            swagger_js_url="/docs-assets/swagger-ui-bundle.js",
            swagger_css_url="/docs-assets/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
            # No badge that sends the API description to swagger.io: the docs work offline.
            swagger_ui_parameters={"validatorUrl": None},
        )

    @app.middleware("http")
    async def headers(request: Request, call_next):
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        if not request.url.path.startswith("/docs"):
            response.headers.setdefault("Content-Security-Policy", PAGE_POLICY)
        return response


def _add_errors(app: FastAPI) -> None:
    """Every error is JSON with a sentence a person can read; never a traceback."""

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> JSONResponse:
        message = error.detail if isinstance(error.detail, str) else "Request refused."
        if error.status_code == 404 and message == "Not Found":
            message = f"There is nothing at {request.url.path}."
        elif error.status_code == 405:
            message = f"{request.method} is not supported on {request.url.path}."
        return JSONResponse({"error": message}, error.status_code, headers=error.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        return JSONResponse({"error": _validation_message(error.errors())}, 422)

    @app.exception_handler(Exception)
    async def crashed(request: Request, error: Exception) -> JSONResponse:
        _log.exception("error answering %s %s", request.method, request.url.path)
        return JSONResponse({"error": INTERNAL}, 500)


def _validation_message(errors: Any) -> str:
    """Pydantic's errors as one sentence: "question: Field required; k: ..."."""
    parts = []
    for e in errors:
        if e.get("type") == "json_invalid":
            return "The request body is not valid JSON."
        where = ".".join(str(part) for part in e.get("loc", ()) if part not in ("body", "query"))
        if e.get("type") == "missing" and not where:
            return "The request needs a JSON body."
        if e.get("type") == "model_attributes_type":
            return "The request body must be a JSON object."
        parts.append(f"{where}: {e.get('msg')}" if where else str(e.get("msg")))
    return "; ".join(parts) or "The request is not valid."


def _scope(body: AskRequest | TimelineRequest) -> Scope:
    sources = [body.source] if isinstance(body.source, str) else body.source or []
    return Scope.parse(as_of=body.as_of, since=body.since, until=body.until, outlets=sources)


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _swagger_assets() -> Path | None:
    """Swagger UI 5 from the fastapi-offline package: FastAPI publishes OpenAPI 3.1, which the
    4.x that swagger-ui-bundle ships cannot read ("Unable to render this definition")."""
    try:
        import fastapi_offline
    except ImportError:
        return None
    return Path(fastapi_offline.__file__).parent / "static"
