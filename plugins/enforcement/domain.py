"""The enforcement case-file review domain (执法案卷评查) and its problem categories."""

from core.plugin_api import Category, Domain

DOMAIN = Domain(
    slug="enforcement",
    name="执法案卷评查",
    name_en="Enforcement case-file review",
    description="行政执法案卷评查及执法办案中的滥用自由裁量权、干预办案、执法粗暴等问题",
    categories=(
        Category("discretion_abuse", "滥用自由裁量权"),
        Category("case_not_filed", "有案不立"),
        Category("case_shelved", "压案不查"),
        Category("procedural_violation", "程序违法"),
        Category("favour_cases", "关系案、人情案、金钱案"),
        Category("case_interference", "请托说情、打听案情、干预办案"),
        Category("extortion", "吃拿卡要"),
        Category("bribery", "索贿受贿"),
        Category("rough_enforcement", "任性执法、不文明执法、执法粗暴"),
        Category("law_breaking", "执法犯法"),
        Category("inaction", "不作为、慢作为、乱作为"),
        Category("other", "其他"),
    ),
)
