"""The paid-services domain (有偿服务) of technical agencies and its problem categories."""

from core.plugin_api import Category, Domain

DOMAIN = Domain(
    slug="paid_services",
    name="有偿服务",
    name_en="Paid services of technical agencies",
    description="所属事业单位和检验检测等技术机构有偿服务中的违规收费、指定服务、出具不实或虚假报告等问题",
    categories=(
        Category("illegal_fees", "违规收费"),
        Category("designated_service", "指定服务"),
        Category("out_of_scope", "超范围服务"),
        Category("untrue_report", "出具不实报告"),
        Category("false_report", "出具虚假报告"),
        Category("qualification", "资质问题"),
        Category("other", "其他"),
    ),
)
