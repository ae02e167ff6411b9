"""The enforcement plugin's pages: the case-file registry (with import), the sampling draw, scoring a file with the
running total shown, the rubric and the statistics. Registered on the core's web blueprint when the plugin loads."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import abort, flash, g, redirect, render_template, request
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import select

from core.plugin_api import FORM_DATE_ERROR, Caller, PageBlueprint, ServiceError, db, flash_refusal, parse_form_date
from plugins.enforcement import importer, rubric, service
from plugins.enforcement.api import (
    MANAGERS,
    READERS,
    REGISTRARS,
    REVIEWERS,
    present_case_file,
    present_review,
    present_reviews,
    present_sampling,
    rubric_now,
    with_certificates,
)
from plugins.enforcement.domain import DOMAIN
from plugins.enforcement.models import CASE_TYPES, DISCRETION_LEVELS, REVIEW_KINDS, Review, Sampling
from plugins.enforcement.schemas import (
    EnforcementCaseFileCreateSchema,
    EnforcementCaseFileQuerySchema,
    EnforcementLocalItemCreateSchema,
    EnforcementRubricSettingsSchema,
    EnforcementStatisticsQuerySchema,
)

#: The enforcement pages, mounted by the core behind the per-unit check (404 where the domain is off).
# The review page's running total is a static file of the plugin's: the pages' CSP runs no inline script.
blp = PageBlueprint(
    "enforcement_pages",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/plugins/enforcement/static",
)

SLUG = DOMAIN.slug


@blp.app_template_filter("points")
def points_filter(value) -> str:
    """A score or points as people write them: 88, 97.5 (never 88.0); empty for none."""
    if value is None or value == "":
        return ""
    number = float(value)
    return str(int(number)) if number.is_integer() else f"{number:g}"


def _prefix() -> str:
    slug = g.get("tenant_slug")
    return f"/tenants/{slug}" if slug else ""


def _may(roles: tuple[str, ...]) -> bool:
    return g.user.role in roles


def _require_role(roles: tuple[str, ...]) -> None:
    if not _may(roles):
        abort(403)


def _errors_of(error: ServiceError) -> dict[str, Any]:
    payload = error.payload()
    return {"message": error.message, "fields": error.fields, "rows": payload.get("errors", {}).get("rows", [])}


def _visible_units(caller: Caller):
    ids = service.enabled_unit_ids(caller)
    return [u for u in caller.units if u.id in ids]


def _date(value: str | None, field: str, errors: dict) -> date | None:
    if not value:
        return None
    try:
        return parse_form_date(value)
    except ValueError:
        errors[field] = [_(FORM_DATE_ERROR)]
        return None


def _checked(schema, values: dict[str, Any]) -> dict[str, Any]:
    """A form through the API's schema: the same limits, refused with the field named."""
    try:
        return schema.load(values)
    except ValidationError as exc:
        fields = {k: v if isinstance(v, list) else [str(v)] for k, v in exc.messages.items()}
        raise ServiceError(_("输入有误，请按字段提示修改"), fields) from exc


# --- the registry -------------------------------------------------------------------------------------------


def _case_form(values: dict[str, str]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    data: dict[str, Any] = {
        "case_no": values.get("case_no", "").strip(),
        "case_type": values.get("case_type", ""),
        "cause": values.get("cause", "").strip(),
        "handlers": service.split_names(values.get("handlers", "")),
        "discretion_level": values.get("discretion_level") or None,
    }
    for name in ("case_no", "handlers"):
        if not data[name]:
            errors[name] = [_("必填")]
    if data["case_type"] not in CASE_TYPES:
        errors["case_type"] = [_("必填")]
    try:
        data["unit_id"] = int(values.get("unit_id", ""))
    except ValueError:
        errors["unit_id"] = [_("必填")]
    data["filed_on"] = _date(values.get("filed_on"), "filed_on", errors)
    if data["filed_on"] is None and "filed_on" not in errors:
        errors["filed_on"] = [_("必填")]
    data["closed_on"] = _date(values.get("closed_on"), "closed_on", errors)
    amount = values.get("penalty_amount", "").strip()
    data["penalty_amount"] = None
    if amount:
        try:
            value = Decimal(amount)
            if not value.is_finite() or value < 0 or value.as_tuple().exponent < -2:
                raise InvalidOperation
            data["penalty_amount"] = value
        except InvalidOperation:
            errors["penalty_amount"] = [_("应为不小于0、最多两位小数的金额（元）")]
    if data["discretion_level"] and data["discretion_level"] not in DISCRETION_LEVELS:
        errors["discretion_level"] = [_("取值无效")]
    if not errors:
        # The API's own limits (lengths, the largest amount), so the page refuses what the API refuses.
        raw = {**data, "filed_on": values.get("filed_on"), "closed_on": values.get("closed_on") or None,
               "penalty_amount": values.get("penalty_amount", "").strip() or None}  # fmt: skip
        for name, messages in EnforcementCaseFileCreateSchema().validate(raw).items():
            errors[name] = messages if isinstance(messages, list) else [str(messages)]
    return data, errors


@blp.tenant_page("/enforcement/case-files", *READERS, methods=["GET", "POST"])
def enforcement_case_files():
    """执法案卷: the registry with filters, a form to register one, and an import from .xlsx or CSV."""
    caller = Caller.current()
    errors: dict[str, list[str]] = {}
    import_errors, import_result = None, None
    values = request.form.to_dict()
    status = 200
    if request.method == "POST":
        _require_role(REGISTRARS)
        if request.form.get("action") == "import":
            upload = request.files.get("file")
            try:
                if upload is None or not upload.filename:
                    raise ServiceError(_("请选择要导入的 .xlsx 或 CSV 文件"), {"file": [_("必填")]})
                import_result = importer.import_case_files(
                    caller, upload.stream, upload.filename, request.form.get("dry_run") == "1"
                )
                if not import_result["dry_run"]:
                    db.session.commit()
            except ServiceError as error:
                db.session.rollback()
                import_errors, status = _errors_of(error), 422
        else:
            data, errors = _case_form(values)
            if not errors:
                try:
                    case_file = service.create_case_file(caller, data)
                    flash(_("已登记案卷 %(no)s", no=case_file.case_no), "success")
                    return redirect(f"{_prefix()}/enforcement/case-files/{case_file.id}")
                except ServiceError as error:
                    db.session.rollback()
                    errors = error.fields or {"_": [error.message]}
            status = 422
    raw = {k: v for k, v in request.args.items() if v}
    try:
        filters = EnforcementCaseFileQuerySchema().load(raw)
    except ValidationError:
        filters = EnforcementCaseFileQuerySchema().load({})
    files = [present_case_file(caller, f) for f in service.list_case_files(caller, filters)]
    return render_template(
        "enforcement/case_files.html",
        files=files,
        filters=filters,
        units=_visible_units(caller),
        case_types=CASE_TYPES,
        levels=DISCRETION_LEVELS,
        values=values,
        errors=errors,
        import_errors=import_errors,
        import_result=import_result,
        may_register=_may(REGISTRARS),
        prefix=_prefix(),
    ), status


@blp.tenant_page("/enforcement/case-files/<int:case_file_id>", *READERS, methods=["GET", "POST"])
def enforcement_case_file(case_file_id):
    """One case file with its reviews, and a form to begin a review or re-review (回避 checked)."""
    caller = Caller.current()
    case_file = service.get_case_file(caller, case_file_id)
    if request.method == "POST":
        _require_role(REVIEWERS)
        try:
            kind = request.form.get("kind") if request.form.get("kind") in REVIEW_KINDS else "review"
            reviewers = service.split_names(request.form.get("reviewers", ""))
            review = service.create_review(caller, case_file, reviewers, kind)
            flash(_("已发起评查，请逐项评分"), "success")
            return redirect(f"{_prefix()}/enforcement/reviews/{review.id}")
        except ServiceError as error:
            flash_refusal(error)
            return redirect(f"{_prefix()}/enforcement/case-files/{case_file_id}")
    reviews = list(db.session.scalars(select(Review).where(Review.case_file_id == case_file.id).order_by(Review.id)))
    return render_template(
        "enforcement/case_file.html",
        f=with_certificates(caller, case_file),
        reviews=present_reviews(caller, reviews),
        kinds=REVIEW_KINDS,
        grades=rubric.GRADES,
        may_review=_may(REVIEWERS),
        prefix=_prefix(),
    )


# --- sampling -----------------------------------------------------------------------------------------------


@blp.tenant_page("/enforcement/samplings", *READERS, methods=["GET", "POST"])
def enforcement_samplings():
    """案卷抽查: draw files at random by unit, period, type and a count or a share, with the seed recorded."""
    caller = Caller.current()
    values = request.form.to_dict()
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        _require_role(REVIEWERS)
        data: dict[str, Any] = {
            "unit_ids": [int(v) for v in request.form.getlist("unit_ids") if v.isdigit()],
            "case_types": [v for v in request.form.getlist("case_types") if v in CASE_TYPES],
            "seed": values.get("seed", "").strip() or None,
            "reviewers": service.split_names(values.get("reviewers", "")),
        }
        data["period_from"] = _date(values.get("period_from"), "period_from", errors)
        data["period_to"] = _date(values.get("period_to"), "period_to", errors)
        for name in ("period_from", "period_to"):
            if data[name] is None and name not in errors:
                errors[name] = [_("必填")]
        how = values.get("how", "count")
        amount = values.get("amount", "").strip()
        try:
            if how == "proportion":
                share = Decimal(amount) / 100
                if not (0 < share <= 1):
                    raise InvalidOperation
                data["proportion"] = share
            else:
                data["count"] = int(amount)
                if data["count"] < 1:
                    raise ValueError
        except (InvalidOperation, ValueError):
            errors["amount"] = [_("抽取数量应为正整数，比例应在0到100之间")]
        try:
            data["reviewers_per_file"] = max(1, int(values.get("reviewers_per_file") or 1))
        except ValueError:
            errors["reviewers_per_file"] = [_("应为正整数")]
        if not errors:
            try:
                sampling = service.draw(caller, data)
                flash(_("已抽取 %(n)s 件案卷", n=len(sampling.selected)), "success")
                return redirect(f"{_prefix()}/enforcement/samplings/{sampling.id}")
            except ServiceError as error:
                db.session.rollback()
                errors = error.fields or {"_": [error.message]}
                if "count" in errors or "proportion" in errors:
                    errors["amount"] = errors.pop("count", None) or errors.pop("proportion")
        status = 422
    samplings = list(db.session.scalars(select(Sampling).order_by(Sampling.id.desc()).limit(50)))
    return render_template(
        "enforcement/samplings.html",
        samplings=samplings,
        units=_visible_units(caller),
        case_types=CASE_TYPES,
        values=values,
        chosen_units=request.form.getlist("unit_ids"),
        chosen_types=request.form.getlist("case_types"),
        errors=errors,
        may_draw=_may(REVIEWERS),
        prefix=_prefix(),
    ), status


@blp.tenant_page("/enforcement/samplings/<int:sampling_id>", *READERS)
def enforcement_sampling(sampling_id):
    """One draw: its conditions, seed, files and reviews, and the result of redoing it."""
    caller = Caller.current()
    sampling = service.get_sampling(caller, sampling_id)
    return render_template(
        "enforcement/sampling.html",
        s=present_sampling(caller, sampling),
        check=service.verify(caller, sampling),
        units={u.id: u.name for u in caller.units},
        case_types=CASE_TYPES,
        grades=rubric.GRADES,
        prefix=_prefix(),
    )


# --- scoring ------------------------------------------------------------------------------------------------


def _score_form(items: dict[str, rubric.RubricItem]) -> dict[str, Any]:
    """The scoring form as the API's body: a ticked veto or a count above 0 is a finding, with its note."""
    form = request.form
    data: dict[str, Any] = {"deductions": [], "vetoes": [], "remarks": form.get("remarks", "")}
    for code, item in items.items():
        note = form.get(f"note_{code}", "").strip()
        if item.veto:
            if form.get(f"veto_{code}") == "1":
                data["vetoes"].append({"item": code, "note": note})
        else:
            try:
                count = int(form.get(f"count_{code}") or 0)
            except ValueError:
                count = 0
            if count > 0:
                data["deductions"].append(
                    {"item": code, "count": count, "note": note, "serious": form.get(f"serious_{code}") == "1"}
                )
    if form.get("problem_category"):
        data["problem_category"] = form["problem_category"]
    return data


@blp.tenant_page("/enforcement/reviews/<int:review_id>", *READERS, methods=["GET", "POST"])
def enforcement_review(review_id):
    """Score a file: tick vetoes, count deductions with a note each; the running total is shown as they are
    entered and the server computes the score and grade on saving."""
    caller = Caller.current()
    review = service.get_review(caller, review_id)
    sections, items, content = service.review_rubric(review)
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        _require_role(REVIEWERS)
        try:
            service.score_review(caller, review, _score_form(items))
            flash(_("评分已保存"), "success")
            return redirect(f"{_prefix()}/enforcement/reviews/{review.id}")
        except ServiceError as error:
            db.session.rollback()
            review = service.get_review(caller, review_id)
            errors, status = (error.fields or {"_": [error.message]}), error.status
    case_file = service.get_case_file(caller, review.case_file_id)
    shown = present_review(caller, review)
    described = service.describe_rubric(content, review.local_items or [], review.thresholds)
    return render_template(
        "enforcement/review.html",
        r=shown,
        f=present_case_file(caller, case_file),
        rubric=described,
        found={d["item"]: d for d in shown["deductions"]},
        form=request.form,
        errors=errors,
        grades=rubric.GRADES,
        categories=DOMAIN.categories,
        may_score=_may(REVIEWERS) and review.status == "assigned",
        prefix=_prefix(),
    ), status


# --- the rubric and the statistics --------------------------------------------------------------------------


@blp.tenant_page("/enforcement/rubric", *READERS, methods=["GET", "POST"])
def enforcement_rubric():
    """The rubric in force: vetoes, sections and items with their basis; managers set thresholds and add items."""
    caller = Caller.current()
    if request.method == "POST":
        _require_role(MANAGERS)
        form = request.form
        try:
            if form.get("action") == "settings":
                names = ("excellent_min", "pass_min", "problem_deadline_days")
                settings = _checked(EnforcementRubricSettingsSchema(), {n: form.get(n, "") for n in names})
                service.update_settings(caller, settings)
                flash(_("评查等次分数线已保存"), "success")
            elif form.get("action") == "retire":
                service.retire_local_item(caller, int(form.get("item_id", "0")))
                flash(_("已停用该评查项目"), "success")
            else:
                veto = form.get("veto") == "1"
                text, basis = form.get("text", "").strip(), form.get("basis", "").strip()
                if not text or not basis:
                    raise ServiceError(_("请填写后再提交"), {"text": [_("必填")]})
                raw = {"text": text, "basis": basis, "veto": veto, "category": form.get("category") or "other",
                       "max_count": form.get("max_count") or 1, "serious": form.get("serious") == "1"}  # fmt: skip
                if not veto:
                    raw.update(section=form.get("section") or "", points=form.get("points") or "")
                data = {"section": "", "points": 0, **_checked(EnforcementLocalItemCreateSchema(), raw)}
                if DOMAIN.category(data["category"]) is None:
                    data["category"] = "other"
                service.add_local_item(caller, data)
                flash(_("已添加本局评查项目"), "success")
            db.session.commit()
        except ServiceError as error:
            flash_refusal(error)
        except ValueError:
            db.session.rollback()
            flash(_("数值格式无效"), "danger")
        return redirect(f"{_prefix()}/enforcement/rubric")
    return render_template(
        "enforcement/rubric.html",
        rubric=rubric_now(caller),
        local=service.local_items(include_retired=True),
        sections=rubric.SECTIONS,
        categories=DOMAIN.categories,
        may_manage=_may(MANAGERS),
        prefix=_prefix(),
    )


@blp.tenant_page("/enforcement/statistics", *READERS)
def enforcement_statistics():
    """Average score and grades per unit, handler and section, and the most frequent deductions."""
    caller = Caller.current()
    raw = {k: v for k, v in request.args.items() if v}
    errors = {}
    try:
        filters = EnforcementStatisticsQuerySchema().load(raw)
    except ValidationError as exc:
        errors = exc.messages
        filters = EnforcementStatisticsQuerySchema().load({})
    return render_template(
        "enforcement/statistics.html",
        stats=service.statistics(caller, filters),
        filters=filters,
        errors=errors,
        units=_visible_units(caller),
        grades=rubric.GRADES,
        kinds=REVIEW_KINDS,
        prefix=_prefix(),
    ), (422 if errors else 200)
