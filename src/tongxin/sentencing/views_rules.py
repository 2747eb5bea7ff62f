"""规则版本: the versions of the rule table, and a form to tighten national numbers from a
date on (province-wide users holding ``sentencing.manage_rules``)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from . import rule_services
from .models import RuleSetVersion
from .rules import DEFAULT_RULESET, RuleSet

VIEW = "sentencing.view_case"


def _differences(row: RuleSetVersion) -> list[tuple[str, int, int]]:
    """(label, national, this version) of the numbers the version changes."""
    ruleset = RuleSet.from_dict(row.numbers)
    return [
        (label, national, getattr(ruleset, name))
        for name, label, national in rule_services.scalar_numbers()
        if getattr(ruleset, name) != national
    ]


@login_required
@permission_required(VIEW, raise_exception=True)
def rules_page(request):
    numbers = rule_services.scalar_numbers()
    values = {name: str(value) for name, _, value in numbers}
    errors: dict[str, list[str]] = {}
    form = {"version": "", "effective_from": "", "note": ""}
    if request.method == "POST":
        if request.POST.get("action") == "toggle":
            row = get_object_or_404(RuleSetVersion, pk=request.POST.get("pk") or 0)
            rule_services.set_active(
                user=request.user, row=row, active=request.POST.get("active") == "1"
            )
            return redirect("sentencing_rules:page")
        form = {key: request.POST.get(key, "").strip() for key in form}
        values = {name: request.POST.get(name, "").strip() for name, _, _ in numbers}
        parsed: dict[str, int] = {}
        for name, value in values.items():
            try:
                parsed[name] = int(value)
            except ValueError:
                errors[name] = ["须为整数。"]
        try:
            effective_from = dt.date.fromisoformat(form["effective_from"])
        except ValueError:
            errors["effective_from"] = ["请填写施行日期(YYYY-MM-DD)。"]
        if not errors:
            try:
                rule_services.create_version(
                    user=request.user,
                    version=form["version"],
                    effective_from=effective_from,
                    numbers=parsed,
                    note=form["note"],
                )
            except ValidationError as error:
                errors = error.message_dict
            else:
                messages.success(request, f"规则版本 {form['version']} 已建立。")
                return redirect("sentencing_rules:page")
    versions = [
        (row, _differences(row)) for row in RuleSetVersion.objects.select_related("created_by")
    ]
    return render(
        request,
        "sentencing/rules.html",
        {
            "versions": versions,
            "national": DEFAULT_RULESET,
            "numbers": [
                (name, label, values[name], errors.get(name)) for name, label, _ in numbers
            ],
            "form": form,
            "errors": errors,
            "form_errors": errors.get("__all__", []),
            "can_manage": request.user.has_perm(rule_services.PERM),
        },
        status=400 if errors else 200,
    )
