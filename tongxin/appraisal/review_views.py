"""述职评议 pages: the session desk (staff) and the voting page (phone, through the QR code)."""

from __future__ import annotations

import datetime as dt

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongxin.accounts.scope import request_user
from tongxin.appraisal import selectors
from tongxin.appraisal.models import GRADES, PoolKind, ReviewKind, ReviewStatus
from tongxin.appraisal.services import review as svc
from tongxin.appraisal.views import _int, _refused, _staff, manage_orgs
from tongxin.cases.selectors import agencies
from tongxin.core import uploads
from tongxin.core.errors import ForbiddenError, ServiceError
from tongxin.core.inputs import parse_pk
from tongxin.core.scope import request_scope
from tongxin.orgs.models import Organization


@login_required
@require_http_methods(["GET", "POST"])
def review_create(request: HttpRequest) -> HttpResponse:
    scope = _staff(request)
    orgs = manage_orgs(scope)
    errors: dict[str, str] = {}
    if request.method == "POST":
        org = next((o for o in orgs if o.pk == parse_pk(request.POST.get("org"))), None)
        pools = [
            svc.PoolInput(
                kind=k,
                weight=_int(request.POST.get(f"weight_{k}")),
                min_size=_int(request.POST.get(f"min_{k}"), 5),
            )
            for k in PoolKind.values
            if _int(request.POST.get(f"weight_{k}"))
        ]
        try:
            if org is None:
                raise ServiceError(
                    gettext("请选择组织单位。"), fields={"org": gettext("请选择组织单位。")}
                )
            session = svc.review_create(
                scope=scope,
                actor=request_user(request),
                org=org,
                title=request.POST.get("title", ""),
                year=_int(request.POST.get("year")),
                kind=request.POST.get("kind", ""),
                pools=pools,
            )
            return redirect("appraisal:review", session.pk)
        except ServiceError as err:
            errors = _refused(request, err)
    return render(
        request,
        "appraisal/review_form.html",
        {
            "orgs": orgs,
            "kinds": ReviewKind.choices,
            "pool_kinds": PoolKind.choices,
            "errors": errors,
            "post": request.POST,
            "year": timezone.localdate().year,
        },
    )


def _act(request: HttpRequest, session: selectors.ReviewSession) -> None:
    scope = request_scope(request)
    actor = request_user(request)
    action = request.POST.get("action")
    if action == "rater":
        pool = selectors.pools(session).filter(pk=parse_pk(request.POST.get("pool")) or 0).first()
        if pool is None:
            raise ServiceError(gettext("请选择评议人类别。"), fields={"pool": gettext("请选择。")})
        svc.rater_add(scope=scope, actor=actor, pool=pool, name=request.POST.get("name", ""))
    elif action == "reporter":
        org = None
        agency = None
        if session.kind == ReviewKind.DEPARTMENT:
            agency = agencies().filter(pk=parse_pk(request.POST.get("agency")) or 0).first()
        else:
            org = (
                Organization.objects.filter(scope.orgs_q(selectors.VIEW))
                .filter(pk=parse_pk(request.POST.get("org")) or 0)
                .first()
            )
        svc.reporter_add(scope=scope, actor=actor, session=session, org=org, agency=agency)
    elif action in ("open", "close", "announce"):
        fn = {"open": svc.review_open, "close": svc.review_close, "announce": svc.review_announce}
        fn[action](scope=scope, actor=actor, session=session)
    elif action == "paper":
        rater = selectors.rater_in(session, parse_pk(request.POST.get("rater")))
        reporter = (
            selectors.reporters(session)
            .filter(pk=parse_pk(request.POST.get("reporter")) or 0)
            .first()
        )
        if rater is None or reporter is None:
            raise ServiceError(gettext("请选择评议人和述职单位。"))
        svc.ballot_enter(
            scope=scope,
            actor=actor,
            rater=rater,
            reporter=reporter,
            grade=request.POST.get("grade", ""),
        )
    else:
        raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _staff(request)
    session = selectors.get_review_for(scope, pk)
    runner = selectors.may_run(scope, session)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not runner:
            raise Http404
        try:
            _act(request, session)
            return redirect("appraisal:review", session.pk)
        except ServiceError as err:
            errors = _refused(request, err)
            session = selectors.get_review_for(scope, pk)
    vote_url = request.build_absolute_uri(reverse("appraisal:vote", args=[session.token]))
    pools = [(p, list(selectors.raters(p))) for p in selectors.pools(session)]
    reporters = list(selectors.reporters(session))
    figures = selectors.department_figures(session) if session.kind == ReviewKind.DEPARTMENT else {}
    return render(
        request,
        "appraisal/review.html",
        {
            "session": session,
            "runner": runner,
            "errors": errors,
            "pools": pools,
            "reporters": [
                (r, figures.get(r.agency_id) if r.agency_id else None) for r in reporters
            ],
            "results": selectors.results(session),
            "grades": [(g.value, g.label) for g in GRADES[ReviewKind(session.kind)]],
            "vote_url": vote_url,
            "qr": segno.make(vote_url, error="m").svg_data_uri(scale=4, border=2),
            "agencies": agencies()[:200] if session.kind == ReviewKind.DEPARTMENT else [],
            "org_choices": Organization.objects.filter(scope.orgs_q(selectors.MANAGE))
            .filter(path__startswith=session.org_path, depth__lte=session.org.depth + 2)
            .exclude(pk=session.org_id)
            .order_by("path")[:300]
            if runner
            else [],
            "all_raters": [rt for _p, rs in pools for rt in rs],
            "min_ballots": selectors.MIN_POOL_BALLOTS,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def reporter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _staff(request)
    rep = selectors.get_reporter_for(scope, pk)
    session = rep.session
    runner = selectors.may_run(scope, session)
    errors: dict[str, str] = {}
    if request.method == "POST":
        actor = request_user(request)
        action = request.POST.get("action")
        try:
            if action == "report":
                svc.report_save(
                    scope=scope,
                    actor=actor,
                    reporter=rep,
                    text=request.POST.get("text", ""),
                    attachment=request.FILES.get("attachment"),
                )
            elif action == "item":
                svc.item_add(
                    scope=scope,
                    actor=actor,
                    reporter=rep,
                    title=request.POST.get("title", ""),
                    owner=request.POST.get("owner", ""),
                    deadline=_date(request.POST.get("deadline")),
                )
            elif action == "progress":
                item = selectors.get_item_for(scope, request.POST.get("item"))
                if item.reporter_id != rep.pk:
                    raise Http404
                svc.item_progress(
                    scope=scope,
                    actor=actor,
                    item=item,
                    progress=_int(request.POST.get("progress"), -1),
                    note=request.POST.get("note", ""),
                )
            else:
                raise Http404
            return redirect("appraisal:reporter", rep.pk)
        except ServiceError as err:
            errors = _refused(request, err)
    return render(
        request,
        "appraisal/reporter.html",
        {
            "rep": rep,
            "session": session,
            "runner": runner,
            "errors": errors,
            "items": list(selectors.items(rep)),
        },
    )


def _date(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


@login_required
@require_GET
def attachment(request: HttpRequest, pk: int) -> HttpResponseBase:
    rep = selectors.get_reporter_for(_staff(request), pk)
    if not rep.attachment_file:
        raise Http404
    return uploads.serve(rep.attachment_file, rep.attachment_type, f"report-{rep.pk}")


@login_required
@require_GET
def vote(request: HttpRequest, token: str) -> HttpResponse:
    """The phone page the session's QR code opens: only the session's raters see it."""
    session = selectors.session_by_token(token)
    rater = selectors.rater_of(request_user(request), session)
    if rater is None:
        raise Http404
    mine = selectors.my_ballots(rater)
    reporters = list(selectors.reporters(session))
    figures = selectors.department_figures(session) if session.kind == ReviewKind.DEPARTMENT else {}
    return render(
        request,
        "appraisal/vote.html",
        {
            "session": session,
            "rater": rater,
            "rows": [
                (r, mine.get(r.pk), figures.get(r.agency_id) if r.agency_id else None)
                for r in reporters
            ],
            "grades": [(g.value, g.label) for g in GRADES[ReviewKind(session.kind)]],
            "is_open": session.status == ReviewStatus.OPEN,
            "just_voted": next(
                (r.name for r in reporters if r.pk == parse_pk(request.GET.get("ok"))), ""
            ),
        },
    )


@login_required
@require_POST
def ballot(request: HttpRequest, token: str, reporter_pk: int) -> HttpResponse:
    """One ballot from the phone. Success shows on the page itself (the reporter is marked
    已评价), so no message is stored in the session; a refusal is. Anyone outside the pools
    gets 404, like an unknown session."""
    reporter = selectors.reporter_by_token(token, reporter_pk)
    session = reporter.session
    try:
        svc.ballot_cast(
            scope=request_scope(request),
            actor=request_user(request),
            session=session,
            reporter=reporter,
            grade=request.POST.get("grade", ""),
        )
    except ForbiddenError:
        raise Http404 from None
    except ServiceError as err:
        messages.error(request, err.message)
        return redirect("appraisal:vote", session.token)
    return redirect(reverse("appraisal:vote", args=[session.token]) + f"?ok={reporter.pk}")
