"""The employer's web page: a Starlette app, reached only through a signed invitation link.

Routes: ``GET /i/<token>`` (the offer form, or where their submission stands), ``POST /i/<token>``
(the form, streamed to disk), ``GET /i/<token>/merci`` (what happens next), ``/static/…``.
Nothing lists employers or serves their files. Errors are :class:`~mlprod.errors.IntakeError`
turned into the one French error page (or JSON for the page's script) by one handler.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp

from mlprod.config import Settings
from mlprod.errors import IntakeError
from mlprod.intake.accept import CONSENT_VALUE, accept_form
from mlprod.intake.errors import ALREADY_SENT, AlreadySent, CsrfRefused, http_status
from mlprod.intake.invitations import OpenInvitation, open_invitation
from mlprod.intake.leftovers import claim_incoming, release
from mlprod.intake.offer_form import consent_digest, consent_text
from mlprod.intake.options import IntakeOptions, load_intake_options
from mlprod.intake.pages import ERROR_TITLES, can_submit, card, form_context
from mlprod.intake.security import SecurityHeaders
from mlprod.intake.storage import human_size, receive_form
from mlprod.intake.submissions import submissions_for_invitation
from mlprod.intake.tokens import Signer
from mlprod.store import Database, open_database

log = logging.getLogger(__name__)
STATIC = Path(__file__).with_name("static")
INCOMING = ".incoming"          # media/offres/.incoming: files being received (see intake/leftovers.py)
CSRF_REFUSED = ("Ce formulaire n'a pas été envoyé depuis votre page, ou la page est trop ancienne."
                " Rechargez la page de votre lien et envoyez le formulaire à nouveau.")
NOT_FOUND = ("Cette page n'existe pas. Pour envoyer votre offre, ouvrez le lien que la Mission Locale"
             " vous a envoyé, en entier.")
SERVER_ERROR = ("Le serveur a rencontré un problème. Réessayez dans quelques minutes ; si cela continue,"
                " contactez la Mission Locale.")


@dataclass
class Intake:
    """What every request needs, built once per app."""

    settings: Settings
    options: IntakeOptions
    db: Database
    signer: Signer
    templates: Jinja2Templates

    @property
    def incoming(self) -> Path:
        return self.settings.media_dir / "offres" / INCOMING


def _templates() -> Jinja2Templates:
    env = Environment(loader=PackageLoader("mlprod.intake", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      trim_blocks=True, lstrip_blocks=True)
    return Jinja2Templates(env=env)


def _intake(request: Request) -> Intake:
    intake: Intake = request.app.state.intake
    return intake


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _render(request: Request, name: str, context: Mapping[str, Any], status: int = 200) -> Response:
    intake = _intake(request)
    base = {"organisation": intake.options.organisation}
    return intake.templates.TemplateResponse(request, name, {**base, **context}, status_code=status)


def _error_page(request: Request, status: int, message: str) -> Response:
    if _wants_json(request):
        return JSONResponse({"error": message, "status": status}, status_code=status)
    token = request.path_params.get("token") if status not in (403, 410) else None
    return _render(request, "error.html", {"title": ERROR_TITLES.get(status, "Erreur"), "message": message,
                                           "back": f"/i/{token}" if token else None}, status)


async def intake_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, IntakeError)
    return _error_page(request, http_status(exc), exc.message)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = NOT_FOUND if exc.status_code == 404 else ERROR_TITLES.get(exc.status_code, "Erreur") + "."
    return _error_page(request, exc.status_code, message)


async def server_error(request: Request, exc: Exception) -> Response:
    log.error("intake: %s %s failed", request.method, request.url.path, exc_info=exc)
    return _error_page(request, 500, SERVER_ERROR)


def _page(request: Request, invitation: OpenInvitation, *, values: dict[str, str] | None = None,
          problems: dict[str, str] | None = None, consent_checked: bool = False, status: int = 200,
          ) -> Response:
    intake = _intake(request)
    submissions = submissions_for_invitation(intake.db, invitation.id)
    consent = consent_text(intake.options.organisation, invitation.employer)
    context = {
        "employer": invitation.employer, "action": request.url.path,
        "csrf": intake.signer.csrf(invitation.nonce), "cards": [card(s) for s in submissions],
        "can_submit": can_submit(submissions), "consent_text": consent,
        "consent_version": consent_digest(consent), "consent_value": CONSENT_VALUE,
        "max_bytes": intake.options.max_upload_bytes,
        "max_human": human_size(intake.options.max_upload_bytes),
        **form_context(values, problems, consent_checked),
    }
    return _render(request, "invitation.html", context, status)


def invitation_page(request: Request) -> Response:
    intake = _intake(request)
    invitation = open_invitation(intake.signer, intake.db, request.path_params["token"])
    return _page(request, invitation)


def thanks_page(request: Request) -> Response:
    intake = _intake(request)
    token = request.path_params["token"]
    invitation = open_invitation(intake.signer, intake.db, token)
    submissions = submissions_for_invitation(intake.db, invitation.id)
    if not submissions:
        return RedirectResponse(f"/i/{token}", status_code=303)
    context = {"employer": invitation.employer, "card": card(submissions[0]), "back": f"/i/{token}"}
    return _render(request, "confirmation.html", context)


async def submit(request: Request) -> Response:
    intake = _intake(request)
    token = request.path_params["token"]
    invitation = await run_in_threadpool(open_invitation, intake.signer, intake.db, token)

    def before_files(fields: Mapping[str, list[str]]) -> None:  # in the parser's worker thread
        if not intake.signer.csrf_ok(invitation.nonce, (fields.get("csrf") or [""])[0]):
            raise CsrfRefused(CSRF_REFUSED)
        if not can_submit(submissions_for_invitation(intake.db, invitation.id)):
            raise AlreadySent(ALREADY_SENT)

    try:
        form = await receive_form(request, intake.incoming, intake.options.max_upload_bytes, before_files)
    except ClientDisconnect:  # gone mid-upload (or closed for silence): nothing was kept, nobody to answer
        log.info("intake: a form for invitation %s was cut off before its end; nothing kept", invitation.id)
        return Response(status_code=400)
    try:
        outcome = await run_in_threadpool(accept_form, intake.settings, intake.db, invitation, form,
                                          intake.options)
    finally:
        await run_in_threadpool(form.discard)  # what was stored has moved; the rest goes
    if outcome.submission is None:
        if _wants_json(request):
            return JSONResponse({"error": "Le formulaire n'est pas complet : corrigez ce qui est signalé.",
                                 "fields": outcome.problems, "status": 400}, status_code=400)
        return await run_in_threadpool(lambda: _page(request, invitation, values=outcome.values,
                                                     problems=outcome.problems,
                                                     consent_checked=outcome.consent_checked, status=400))
    log.info("intake: %s received from %s", outcome.submission.public_id, invitation.employer)
    target = f"/i/{token}/merci"
    if _wants_json(request):
        return JSONResponse({"redirect": target, "submission": outcome.submission.public_id})
    return RedirectResponse(target, status_code=303)


def home(_request: Request) -> Response:
    raise HTTPException(404)


def robots(_request: Request) -> Response:
    return PlainTextResponse("User-agent: *\nDisallow: /\n")


def create_app(settings: Settings, options: IntakeOptions | None = None,
               db: Database | None = None) -> ASGIApp:
    """The ASGI app for ``settings``' workspace (it opens the database unless given one)."""
    options = options or load_intake_options(settings)
    own_db = db is None
    database = db or open_database(settings.database_url, settings.site)
    intake = Intake(settings=settings, options=options, db=database,
                    signer=Signer.for_settings(settings), templates=_templates())

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        presence = claim_incoming(settings, intake.incoming)  # and the leftovers of killed uploads go
        try:
            yield
        finally:
            release(presence)
            if own_db:
                database.close()

    app = Starlette(
        routes=[
            Route("/", home),
            Route("/robots.txt", robots),
            Route("/i/{token}", invitation_page, methods=["GET"]),
            Route("/i/{token}", submit, methods=["POST"]),
            Route("/i/{token}/merci", thanks_page, methods=["GET"]),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ],
        exception_handlers={IntakeError: intake_error, HTTPException: http_error, Exception: server_error},
        lifespan=lifespan,
    )
    app.state.intake = intake
    return SecurityHeaders(app)
