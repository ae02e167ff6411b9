"""API of the enforcement plugin, mounted by the core under /api/v1/plugins/enforcement/ (tenant users) and
/api/v1/tenants/<tenant>/plugins/enforcement/ (city users); 404 wherever the domain is off at the caller's unit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.plugin_api import ApiBlueprint as Blueprint
from core.plugin_api import (
    Caller,
    FieldError,
    NotFound,
    db,
    list_schema,
    listing,
    object_loader,
    require,
    scoped_get,
    subtree_ids,
)
from plugins.enforcement import certificates, importer, rubric, service
from plugins.enforcement.domain import DOMAIN
from plugins.enforcement.models import CASE_TYPES, DISCRETION_LEVELS, CaseFile, Review, RubricLocalItem, Sampling
from plugins.enforcement.schemas import (
    EnforcementCaseFileCreateSchema,
    EnforcementCaseFileQuerySchema,
    EnforcementCaseFileSchema,
    EnforcementImportFormSchema,
    EnforcementImportResultSchema,
    EnforcementLocalItemCreateSchema,
    EnforcementLocalItemSchema,
    EnforcementReviewCreateSchema,
    EnforcementReviewQuerySchema,
    EnforcementReviewSchema,
    EnforcementRubricSchema,
    EnforcementRubricSettingsSchema,
    EnforcementSamplingCreateSchema,
    EnforcementSamplingSchema,
    EnforcementScoreSchema,
    EnforcementStatisticsQuerySchema,
    EnforcementStatisticsSchema,
    EnforcementVerifySchema,
)

blp = Blueprint("enforcement", __name__, description="执法案卷评查")

READERS = ("city_admin", "city_supervisor", "tenant_admin", "officer", "reviewer", "viewer")
#: register and import case files (officers for their unit and below)
REGISTRARS = ("city_supervisor", "tenant_admin", "officer")
#: draw samples, begin and score reviews
REVIEWERS = ("city_supervisor", "tenant_admin", "reviewer")
#: thresholds and the tenant's own rubric items
MANAGERS = ("city_admin", "tenant_admin")


def _caller() -> Caller:
    return Caller.current()


@object_loader("case_file_id")
def _case_file_exists(case_file_id: int) -> bool:
    try:
        service.get_case_file(_caller(), case_file_id)
    except NotFound:
        return False
    return True


@object_loader("review_id")
def _review_exists(review_id: int) -> bool:
    try:
        service.get_review(_caller(), review_id)
    except NotFound:
        return False
    return True


@object_loader("sampling_id")
def _sampling_exists(sampling_id: int) -> bool:
    try:
        service.get_sampling(_caller(), sampling_id)
    except NotFound:
        return False
    return True


@object_loader("rubric_item_id")
def _rubric_item_exists(rubric_item_id: int) -> bool:
    return scoped_get(RubricLocalItem, rubric_item_id) is not None


# --- presenting ---------------------------------------------------------------------------------------------


def present_case_file(caller: Caller, case_file: CaseFile) -> dict[str, Any]:
    return {
        "id": case_file.id,
        "case_no": case_file.case_no,
        "case_type": case_file.case_type,
        "case_type_name": CASE_TYPES.get(case_file.case_type, case_file.case_type),
        "cause": case_file.cause,
        "unit_id": case_file.unit_id,
        "unit_name": service.unit_name(caller, case_file.unit_id),
        "handlers": list(case_file.handlers or []),
        "filed_on": case_file.filed_on,
        "closed_on": case_file.closed_on,
        "penalty_amount": service.yuan(case_file.penalty_fen),
        "discretion_level": case_file.discretion_level,
        "discretion_level_name": DISCRETION_LEVELS.get(case_file.discretion_level or ""),
        "created_at": case_file.created_at,
    }


def with_certificates(caller: Caller, case_file: CaseFile) -> dict[str, Any]:
    """One case file as presented, with its handlers' certificates checked against the staff register."""
    checks = certificates.handler_certificates(caller, case_file)
    return present_case_file(caller, case_file) | {
        "handler_certificates": checks,
        "certificate_flagged": any(c["flagged"] for c in checks),
    }


def present_review(caller: Caller, review: Review, deductions=None, case_no: str | None = None) -> dict[str, Any]:
    if deductions is None:
        deductions = service.deductions_of([review.id]).get(review.id, [])
    if case_no is None:
        case_no = db.session.scalar(select(CaseFile.case_no).where(CaseFile.id == review.case_file_id))
    return {
        "id": review.id,
        "case_file_id": review.case_file_id,
        "case_no": case_no,
        "unit_id": review.unit_id,
        "unit_name": service.unit_name(caller, review.unit_id),
        "sampling_id": review.sampling_id,
        "kind": review.kind,
        "rubric_version": review.rubric_version,
        "reviewers": list(review.reviewers or []),
        "status": review.status,
        "score": review.score,
        "grade": review.grade,
        "grade_name": rubric.GRADES.get(review.grade or ""),
        "vetoed": review.vetoed,
        "section_scores": review.section_scores or {},
        "thresholds": review.thresholds,
        "remarks": review.remarks,
        "problem_id": review.problem_id,
        "deductions": [
            {
                "item": d.item_code,
                "section": d.section,
                "count": d.count,
                "points": d.points,
                "veto": d.veto,
                "serious": d.serious,
                "note": d.note,
            }
            for d in deductions
        ],
        "reviewed_at": review.reviewed_at,
        "created_at": review.created_at,
    }


def present_reviews(caller: Caller, reviews: list[Review]) -> list[dict[str, Any]]:
    deductions = service.deductions_of([r.id for r in reviews])
    ids = sorted({r.case_file_id for r in reviews})
    numbers = dict(db.session.execute(select(CaseFile.id, CaseFile.case_no).where(CaseFile.id.in_(ids))).all())
    return [present_review(caller, r, deductions.get(r.id, []), numbers.get(r.case_file_id)) for r in reviews]


def present_sampling(caller: Caller, sampling) -> dict[str, Any]:
    # The draw is the tenant's; the files and reviews shown are those of the caller's units.
    visible = service.enabled_unit_ids(caller)
    files = {
        f.id: f
        for f in db.session.scalars(select(CaseFile).where(CaseFile.id.in_(sampling.selected)))
        if f.unit_id in visible
    }
    reviews = [
        r
        for r in db.session.scalars(select(Review).where(Review.sampling_id == sampling.id).order_by(Review.id))
        if r.unit_id in visible
    ]
    return {
        "id": sampling.id,
        "criteria": sampling.criteria,
        "seed": sampling.seed,
        "population": list(sampling.population),
        "selected": list(sampling.selected),
        "drawn_by": sampling.drawn_by,
        "drawn_at": sampling.drawn_at,
        "files": [present_case_file(caller, files[i]) for i in sampling.selected if i in files],
        "reviews": present_reviews(caller, reviews),
    }


def rubric_now(caller: Caller) -> dict[str, Any]:
    pinned = service.current_rubric(caller)
    described = service.describe_rubric(pinned["version"].content, pinned["local_items"], pinned["thresholds"])
    setting = service.settings(caller.tenant)
    return {**described, "version": pinned["version"].version, "problem_deadline_days": setting.problem_deadline_days}


# --- case files ---------------------------------------------------------------------------------------------


@blp.route("/case-files", methods=["GET"])
@require(*READERS)
@blp.arguments(EnforcementCaseFileQuerySchema, location="query")
@blp.response(200, list_schema(EnforcementCaseFileSchema))
def list_case_files(args, **_url_values):
    """The registered case files (执法案卷) of the caller's units, newest filing first."""
    caller = _caller()
    return listing([present_case_file(caller, f) for f in service.list_case_files(caller, args)])


@blp.route("/case-files", methods=["POST"])
@require(*REGISTRARS)
@blp.arguments(EnforcementCaseFileCreateSchema)
@blp.response(201, EnforcementCaseFileSchema)
def create_case_file(data, **_url_values):
    """Register a case file: 案件编号 unique in the tenant, 承办人 at least one, 结案日期 not before 立案日期."""
    caller = _caller()
    return with_certificates(caller, service.create_case_file(caller, data))


@blp.route("/case-files/import", methods=["POST"])
@require(*REGISTRARS)
@blp.arguments(EnforcementImportFormSchema, location="form")
@blp.response(200, EnforcementImportResultSchema)
def import_case_files(form, **_url_values):
    """Import case files from .xlsx or CSV (columns 案件编号, 案件类型, 案由, 承办单位, 承办人, 立案日期, 结案日期,
    罚没款金额（元）, 适用裁量等级), keyed by 案件编号.

    Every cell is checked first: any bad cell refuses the whole file with 422, each error named by row and column
    under ``errors.rows``. Importing the same file twice changes nothing.
    """
    from flask import request

    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise FieldError("file", "请选择要导入的 .xlsx 或 CSV 文件")
    return importer.import_case_files(_caller(), upload.stream, upload.filename, form["dry_run"])


@blp.route("/case-files/<int:case_file_id>", methods=["GET"])
@require(*READERS)
@blp.response(200, EnforcementCaseFileSchema)
def get_case_file(case_file_id, **_url_values):
    """One case file, with each handler's 执法证 on the filing and closing days (``handler_certificates``, from the
    staff register where the integrity domain keeps one) and ``certificate_flagged`` when one had lapsed."""
    caller = _caller()
    return with_certificates(caller, service.get_case_file(caller, case_file_id))


@blp.route("/case-files/<int:case_file_id>/reviews", methods=["GET"])
@require(*READERS)
@blp.response(200, list_schema(EnforcementReviewSchema))
def list_file_reviews(case_file_id, **_url_values):
    """The reviews and re-reviews of one case file, oldest first."""
    caller = _caller()
    case_file = service.get_case_file(caller, case_file_id)
    reviews = db.session.scalars(select(Review).where(Review.case_file_id == case_file.id).order_by(Review.id))
    return listing(present_reviews(caller, list(reviews)))


@blp.route("/case-files/<int:case_file_id>/reviews", methods=["POST"])
@require(*REVIEWERS)
@blp.arguments(EnforcementReviewCreateSchema)
@blp.response(201, EnforcementReviewSchema)
def create_review(data, case_file_id, **_url_values):
    """Begin a review (``kind`` review) or a re-review (re_review) of a file, pinned to the rubric in force.

    A reviewer who handled the file is refused with 409 naming them (回避).
    """
    caller = _caller()
    case_file = service.get_case_file(caller, case_file_id)
    return present_review(caller, service.create_review(caller, case_file, data["reviewers"], data["kind"]))


# --- sampling -----------------------------------------------------------------------------------------------


@blp.route("/samplings", methods=["GET"])
@require(*READERS)
@blp.response(200, list_schema(EnforcementSamplingSchema))
def list_samplings(**_url_values):
    """The draws made in the tenant, newest first."""

    caller = _caller()
    rows = db.session.scalars(select(Sampling).order_by(Sampling.id.desc()).limit(200))
    return listing([present_sampling(caller, s) for s in rows])


@blp.route("/samplings", methods=["POST"])
@require(*REVIEWERS)
@blp.arguments(EnforcementSamplingCreateSchema)
@blp.response(201, EnforcementSamplingSchema)
def create_sampling(data, **_url_values):
    """Draw case files at random for review (案卷抽查).

    The files closed in the period, of the units (and below) and case types asked for, are ordered by 案件编号; the
    draw is ``random.Random(seed).sample(population, size)``. The seed (given, or made here) and the population are
    recorded, so the same draw can be redone (``GET …/verify``) and the same seed and conditions give the same
    files. With ``reviewers``, each drawn file gets ``reviewers_per_file`` of them in turn, never one of its
    handlers; if too few are left, 409 naming them.
    """
    caller = _caller()
    return present_sampling(caller, service.draw(caller, data))


@blp.route("/samplings/<int:sampling_id>", methods=["GET"])
@require(*READERS)
@blp.response(200, EnforcementSamplingSchema)
def get_sampling(sampling_id, **_url_values):
    """One draw with its files and reviews."""
    caller = _caller()
    return present_sampling(caller, service.get_sampling(caller, sampling_id))


@blp.route("/samplings/<int:sampling_id>/verify", methods=["GET"])
@require(*READERS)
@blp.response(200, EnforcementVerifySchema)
def verify_sampling(sampling_id, **_url_values):
    """Redo a draw from its recorded seed and population and say whether it gives the same files."""
    caller = _caller()
    return service.verify(caller, service.get_sampling(caller, sampling_id))


# --- reviews ------------------------------------------------------------------------------------------------


@blp.route("/reviews", methods=["GET"])
@require(*READERS)
@blp.arguments(EnforcementReviewQuerySchema, location="query")
@blp.response(200, list_schema(EnforcementReviewSchema))
def list_reviews(args, **_url_values):
    """Reviews of the caller's units, newest first."""

    caller = _caller()
    units = service.enabled_unit_ids(caller)
    if args.get("unit_id") is not None:
        caller.filter_unit(args["unit_id"])
        units &= subtree_ids(args["unit_id"], caller.units)
    query = select(Review).where(Review.unit_id.in_(units))
    if args.get("case_file_id"):
        query = query.where(Review.case_file_id == args["case_file_id"])
    if args.get("status"):
        query = query.where(Review.status == args["status"])
    reviews = list(db.session.scalars(query.order_by(Review.id.desc()).limit(args["limit"])))
    return listing(present_reviews(caller, reviews))


@blp.route("/reviews/<int:review_id>", methods=["GET"])
@require(*READERS)
@blp.response(200, EnforcementReviewSchema)
def get_review(review_id, **_url_values):
    """One review with its deductions."""
    caller = _caller()
    return present_review(caller, service.get_review(caller, review_id))


@blp.route("/reviews/<int:review_id>/score", methods=["POST"])
@require(*REVIEWERS)
@blp.arguments(EnforcementScoreSchema)
@blp.response(200, EnforcementReviewSchema)
def score_review(data, review_id, **_url_values):
    """Score a review by its pinned rubric: ``vetoes`` (一票否决, each with a note) and ``deductions`` (item, count,
    note, serious). The system computes each section "扣完为止，不计负分", the total out of 100 and the grade by the
    tenant's thresholds; a veto gives 0 and 不合格. A 不合格 file or a serious deduction records a ledger problem
    (source 案卷评查) for the file's unit, which closes only after a passing re-review. Scored once: 409 after.
    """
    caller = _caller()
    review = service.get_review(caller, review_id)
    return present_review(caller, service.score_review(caller, review, data))


# --- the rubric ---------------------------------------------------------------------------------------------


@blp.route("/rubric", methods=["GET"])
@require(*READERS)
@blp.response(200, EnforcementRubricSchema)
def get_rubric(**_url_values):
    """The rubric a review begun now is pinned to: veto items, sections with their items and rules (base, then the
    tenant's own), the version number and the tenant's grade thresholds."""
    return rubric_now(_caller())


@blp.route("/rubric/settings", methods=["PUT"])
@require(*MANAGERS)
@blp.arguments(EnforcementRubricSettingsSchema)
@blp.response(200, EnforcementRubricSchema)
def put_rubric_settings(data, **_url_values):
    """Set the tenant's thresholds (优秀 >= excellent_min, 合格 >= pass_min) and the rectification time limit in
    working days of the problems a failing review records. Reviews begun earlier keep their thresholds."""
    caller = _caller()
    service.update_settings(caller, data)
    return rubric_now(caller)


@blp.route("/rubric/local-items", methods=["GET"])
@require(*READERS)
@blp.response(200, list_schema(EnforcementLocalItemSchema))
def list_local_items(**_url_values):
    """The tenant's own rubric items, retired ones included."""
    return listing(service.local_items(include_retired=True))


@blp.route("/rubric/local-items", methods=["POST"])
@require(*MANAGERS)
@blp.arguments(EnforcementLocalItemCreateSchema)
@blp.response(201, EnforcementLocalItemSchema)
def add_local_item(data, **_url_values):
    """Add an item of the tenant's own: a veto item, or a deduction item of a section with points per occurrence.
    Reviews begun from now on include it; earlier ones stay as they were pinned."""
    if DOMAIN.category(data["category"]) is None:
        names = "、".join(f"{c.code}（{c.name}）" for c in DOMAIN.categories)
        raise FieldError("category", f"问题类别不属于执法案卷评查领域，可选：{names}")
    return service.add_local_item(_caller(), data)


@blp.route("/rubric/local-items/<int:rubric_item_id>", methods=["DELETE"])
@require(*MANAGERS)
@blp.response(200, EnforcementLocalItemSchema)
def retire_local_item(rubric_item_id, **_url_values):
    """Retire one of the tenant's own items (kept for the reviews that used it)."""
    return service.retire_local_item(_caller(), rubric_item_id)


# --- statistics ---------------------------------------------------------------------------------------------


@blp.route("/statistics", methods=["GET"])
@require(*READERS)
@blp.arguments(EnforcementStatisticsQuerySchema, location="query")
@blp.response(200, EnforcementStatisticsSchema)
def get_statistics(args, **_url_values):
    """Average score and grade distribution (优秀/合格/不合格 and the share 不合格) overall, per unit, per handler and
    per section, and the most frequent deductions, over the scored reviews of the caller's units."""
    return service.statistics(_caller(), args)
