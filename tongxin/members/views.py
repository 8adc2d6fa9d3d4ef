from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from tongxin.accounts.scope import request_user
from tongxin.core.errors import ServiceError
from tongxin.core.forms import apply_service_error
from tongxin.core.pagination import paginate
from tongxin.core.request_context import is_htmx
from tongxin.core.scope import request_scope
from tongxin.geo.selectors import RESIDENCE_LEVELS, area_choices_under
from tongxin.members import selectors, services
from tongxin.members.forms import MemberForm
from tongxin.members.models import Member, MemberStatus
from tongxin.orgs.models import Organization, Sector
from tongxin.orgs.selectors import get_org_for, org_filter_choices, units_for_choice


def _filters(request: HttpRequest) -> selectors.MemberFilters:
    scope = request_scope(request)
    # Searches are posted so that whole ID and phone numbers never land in URLs, browser
    # history or access logs; filter and page links use GET.
    params = request.POST if request.method == "POST" else request.GET
    org = None
    if params.get("org"):
        org = get_org_for(scope, params["org"])
    return selectors.MemberFilters(
        org=org,
        status=params.get("status", ""),
        sector=params.get("sector", ""),
        flags=params.getlist("flag"),
        text=params.get("q", ""),
    )


def _query_string(filters: selectors.MemberFilters) -> str:
    """Filters for the page links: never a whole ID or phone number."""
    params = QueryDict(mutable=True)
    if filters.org is not None:
        params["org"] = str(filters.org.pk)
    for key, value in (("status", filters.status), ("sector", filters.sector)):
        if value:
            params[key] = value
    params.setlist("flag", filters.flags)
    if filters.text and selectors.pii_query_kind(filters.text) is None:
        params["q"] = filters.text
    return params.urlencode()


@login_required
@require_http_methods(["GET", "POST"])
def member_list_view(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    filters = _filters(request)
    kind = selectors.pii_query_kind(filters.text) if filters.text else None
    if kind and not scope.has("members.reveal_pii"):
        messages.error(request, str(selectors.PII_SEARCH_REFUSED))
        filters.text = ""
    if kind and request.method == "GET":
        filters.text = ""  # only posted searches may carry a number
    page = paginate(request, selectors.member_list(scope, filters))
    if kind and filters.text:
        services.member_pii_search_logged(
            actor=request_user(request), kind=kind, found=list(page), scope=scope
        )
    partial = is_htmx(request)
    org_choices = [] if partial else org_filter_choices(scope)
    return render(
        request,
        "members/_rows.html" if partial else "members/list.html",
        {
            "page": page,
            "org_choices": org_choices,
            "org_choice_pks": {o.pk for o, _child in org_choices},
            "filters": filters,
            "statuses": MemberStatus.choices,
            "sectors": Sector.choices,
            "flag_choices": [
                ("floating", gettext("流动党员")),
                ("lost_contact", gettext("失联党员")),
                ("model_post", gettext("党员示范岗")),
                ("household", gettext("共产党员户")),
            ],
            "query": _query_string(filters),
        },
    )


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    member = selectors.get_member_for(scope, pk)
    residence = member.residence.path if member.residence else None
    return render(
        request,
        "members/detail.html",
        {
            "member": member,
            "history": selectors.member_relation_history(member),
            "can_reveal": scope.reaches_org("members.reveal_pii", member.org_path, residence),
            "can_edit": scope.reaches_org("members.manage", member.org_path, residence),
        },
    )


@login_required
@require_POST
def reveal(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    scope = request_scope(request)
    member = selectors.get_member_for(scope, pk, "members.reveal_pii")
    if field not in services.PII_FIELDS:
        raise Http404
    value = services.member_reveal_pii(
        actor=request_user(request), member=member, field_name=field, scope=scope
    )
    response = render(request, "members/_revealed.html", {"value": value or gettext("（未登记）")})
    response["Cache-Control"] = "no-store"
    return response


def _form(request: HttpRequest, org: Organization, member: Member | None = None) -> MemberForm:
    initial = None
    if member is not None:
        initial = {f: getattr(member, f) for f in services.PLAIN_FIELDS}
        initial.update(residence=member.residence_id, work_unit=member.work_unit_id)
    form = MemberForm(
        request.POST or None,
        initial=initial,
        areas=area_choices_under(org.area, RESIDENCE_LEVELS),
        units=units_for_choice(request_scope(request)),
    )
    if member is not None:
        # Personal data is never put back into the page unmasked: blank keeps what is stored.
        form.fields["id_number"].required = False
        keep = gettext("当前：%(current)s，留空则不修改。")
        form.fields["id_number"].help_text = keep % {"current": member.id_number_masked}
        form.fields["phone"].help_text = keep % {
            "current": member.phone_masked or gettext("未登记")
        }
        if member.phone_masked:
            form.fields["clear_phone"] = forms.BooleanField(
                label=_("删除已登记的手机号"), required=False
            )
    return form


def _save(request: HttpRequest, form: MemberForm, org: Organization, member: Member | None):
    cleaned = dict(form.cleaned_data)
    clear_phone = cleaned.pop("clear_phone", False)
    if member is not None:
        cleaned["id_number"] = cleaned["id_number"] or member.reveal_id_number()
        cleaned["phone"] = "" if clear_phone else (cleaned["phone"] or member.reveal_phone())
    data = services.MemberInput(org=org, **cleaned)
    try:
        if member is None:
            return services.member_create(
                actor=request_user(request), data=data, scope=request_scope(request)
            )
        return services.member_update(
            actor=request_user(request), member=member, data=data, scope=request_scope(request)
        )
    except ServiceError as e:
        apply_service_error(form, e)
        return None


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    org = get_org_for(scope, request.GET.get("org", ""), "members.manage")
    form = _form(request, org)
    if request.method == "POST" and form.is_valid():
        member = _save(request, form, org, None)
        if member is not None:
            messages.success(request, gettext("已登记党员“%(name)s”。") % {"name": member.name})
            return redirect("members:detail", pk=member.pk)
    return render(request, "members/form.html", {"form": form, "org": org, "member": None})


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    member = selectors.get_member_for(scope, pk, "members.manage")
    form = _form(request, member.org, member)
    if (
        request.method == "POST"
        and form.is_valid()
        and _save(request, form, member.org, member) is not None
    ):
        messages.success(request, gettext("已保存。"))
        return redirect("members:detail", pk=member.pk)
    return render(request, "members/form.html", {"form": form, "org": member.org, "member": member})
