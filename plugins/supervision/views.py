"""API of the supervision domain, mounted by the core under /api/v1/plugins/supervision/."""

from core.api import Blueprint
from core.validators import USCCError, normalise_uscc, validate_uscc
from plugins.supervision.schemas import CreditCodeCheckArgsSchema, CreditCodeCheckResultSchema

blp = Blueprint("supervision", __name__, description="日常监管")


def check_credit_code(code: str) -> dict:
    """Normalise and validate a unified social credit code, reporting the first error and its position."""
    normalised = normalise_uscc(code)
    try:
        validate_uscc(normalised)
    except USCCError as error:
        return {"code": normalised, "valid": False, "error": error.messages[0], "position": error.position}
    return {"code": normalised, "valid": True, "error": None, "position": None}


@blp.route("/credit-code/check", methods=["POST"])
@blp.arguments(CreditCodeCheckArgsSchema)
@blp.response(200, CreditCodeCheckResultSchema)
def post_credit_code_check(args, **_url_values):
    """Check a unified social credit code (统一社会信用代码) before recording a problem."""
    # A malformed code is the answer here, not a bad request: the officer asked whether it is valid.
    # _url_values absorbs any path parameters of the prefix the core mounts us under (e.g. a tenant slug).
    return check_credit_code(args["code"])
