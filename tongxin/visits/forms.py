from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from tongxin.core.forms import offer, set_queryset
from tongxin.geo.models import Area
from tongxin.members.models import Member
from tongxin.orgs.models import Organization, Unit
from tongxin.visits.models import ContactTarget, PatrolPost, VisitKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

LISTED = 300


def offer_many(field: forms.Field, queryset, selected=None) -> None:
    """A multiple choice accepting any row of ``queryset`` but listing only its first rows.
    ``selected`` (a queryset of the rows already chosen, on an edit form) is listed first and
    stays valid, so that saving never drops a choice the list would not reach."""
    accepted = queryset if selected is None else queryset | selected

    def rows() -> list[tuple[object, str]]:
        chosen = [(o.pk, str(o)) for o in selected] if selected is not None else []
        seen = {pk for pk, _label in chosen}
        return chosen + [(o.pk, str(o)) for o in queryset[:LISTED] if o.pk not in seen]

    set_queryset(field, accepted)
    field.widget.choices = rows


class VisitForm(forms.Form):
    kind = forms.ChoiceField(label=_("走访类型"), choices=VisitKind.choices)
    visited_on = forms.DateField(label=_("走访日期"), widget=DATE)
    org = forms.ModelChoiceField(label=_("走访人所在党组织"), queryset=Organization.objects.none())
    area = forms.ModelChoiceField(
        label=_("走访地点（社区/小区/楼栋）"), queryset=Area.objects.none()
    )
    household = forms.CharField(
        label=_("走访户"),
        max_length=100,
        required=False,
        help_text=_("门牌号、户主，如“3幢201 张家”"),
    )
    unit = forms.ModelChoiceField(label=_("走访单位"), queryset=Unit.objects.none(), required=False)
    target = forms.ModelChoiceField(
        label=_("联系对象（领导联系走访）"), queryset=ContactTarget.objects.none(), required=False
    )
    post = forms.ModelChoiceField(
        label=_("巡访服务岗（党员巡访）"), queryset=PatrolPost.objects.none(), required=False
    )
    people_met = forms.CharField(label=_("走访对象"), max_length=200, help_text=_("见了谁"))
    heard = forms.CharField(
        label=_("所见所闻"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    problems = forms.CharField(
        label=_("群众反映的问题（每行一条）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每条问题可在记录后一键转为事件。"),
    )

    def __init__(self, *args, orgs, areas, units, targets, posts, **kwargs):
        super().__init__(*args, **kwargs)
        offer(self.fields["org"], orgs, selected=self.initial.get("org"))
        offer(self.fields["area"], areas, selected=self.initial.get("area"))
        offer(self.fields["unit"], units)
        offer(self.fields["target"], targets)
        offer(self.fields["post"], posts)

    def problem_lines(self) -> tuple[str, ...]:
        text = self.cleaned_data.get("problems") or ""
        return tuple(line.strip() for line in text.splitlines() if line.strip())


class ProblemForm(forms.Form):
    text = forms.CharField(
        label=_("问题"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("解决情况"), required=False, max_length=300)


class ToCaseForm(forms.Form):
    category = forms.ChoiceField(label=_("事件类别"), choices=())
    priority = forms.ChoiceField(
        label=_("紧急程度"),
        choices=(("normal", _("一般")), ("urgent", _("紧急"))),
        initial="normal",
    )

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["category"]).choices = categories


class AssignmentForm(forms.Form):
    leader = forms.ModelChoiceField(label=_("责任人（党员）"), queryset=Member.objects.none())
    org = forms.ModelChoiceField(label=_("所在党组织"), queryset=Organization.objects.none())
    contact_duty = forms.BooleanField(label=_("领导联系走访"), required=False, initial=True)
    home_duty = forms.BooleanField(label=_("每月上门家访"), required=False, initial=True)
    units = forms.ModelMultipleChoiceField(
        label=_("联系单位（4—5个）"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    household_area = forms.ModelChoiceField(
        label=_("联系户所在社区/小区"), queryset=Area.objects.none(), required=False
    )
    households = forms.CharField(
        label=_("联系户（每行一户，不少于10户）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("门牌号、户主，如“3幢201 张家”"),
    )

    def __init__(self, *args, members, orgs, units, areas, **kwargs):
        super().__init__(*args, **kwargs)
        offer(self.fields["leader"], members)
        offer(self.fields["org"], orgs)
        offer_many(self.fields["units"], units)
        offer(self.fields["household_area"], areas)

    def household_lines(self) -> list[str]:
        text = self.cleaned_data.get("households") or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class AssignmentEditForm(AssignmentForm):
    """The same fields but the leader: the person does not change (end it and register the
    new person instead). The current organization, units and place stay on offer."""

    def __init__(self, *args, assignment, targets, members, orgs, units, areas, **kwargs):
        linked_units = [t.unit_id for t in targets if t.kind == "unit" and t.unit_id]
        households = [t for t in targets if t.kind == "household"]
        area_ids = [t.area_id for t in households if t.area_id]
        main_area = max(set(area_ids), key=area_ids.count) if area_ids else None
        kwargs.setdefault(
            "initial",
            {
                "org": assignment.org_id,
                "contact_duty": assignment.contact_duty,
                "home_duty": assignment.home_duty,
                "units": linked_units,
                "household_area": main_area,
                "households": "\n".join(t.label for t in households),
            },
        )
        super().__init__(*args, members=members, orgs=orgs, units=units, areas=areas, **kwargs)
        del self.fields["leader"]
        offer(self.fields["org"], orgs, selected=assignment.org_id)
        offer(self.fields["household_area"], areas, selected=main_area)
        offer_many(
            self.fields["units"], units, selected=units.model.objects.filter(pk__in=linked_units)
        )
        self.fields["household_area"].label = _("新增联系户所在社区/小区")
        self.fields["households"].help_text = _(
            "每行一户。已有的联系户保留原所在小区和走访记录；删去的一行即不再联系；新增的记在上面所选的社区/小区。"
        )


class PatrolPostForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    org = forms.ModelChoiceField(label=_("所属党组织"), queryset=Organization.objects.none())
    area = forms.ModelChoiceField(label=_("巡访区域"), queryset=Area.objects.none())
    place = forms.CharField(label=_("岗位地点"), max_length=200, required=False)
    shifts = forms.CharField(
        label=_("值守时间"), max_length=200, required=False, help_text=_("如“每天 8:00—11:00”")
    )
    members = forms.ModelMultipleChoiceField(
        label=_("巡访员"),
        queryset=Member.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    def __init__(self, *args, members, orgs, areas, post=None, **kwargs):
        if post is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": post.name,
                    "org": post.org_id,
                    "area": post.area_id,
                    "place": post.place,
                    "shifts": post.shifts,
                    "members": list(post.members.values_list("pk", flat=True)),
                },
            )
        super().__init__(*args, **kwargs)
        offer(self.fields["org"], orgs, selected=post.org_id if post else None)
        offer(self.fields["area"], areas, selected=post.area_id if post else None)
        offer_many(
            self.fields["members"],
            members,
            selected=Member.objects.filter(pk__in=post.members.values("pk"))
            .only("id", "name")
            .order_by("id")
            if post
            else None,
        )
