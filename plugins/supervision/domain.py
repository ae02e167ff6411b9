"""The daily-supervision domain (日常监管) and its problem categories."""

from core.plugin_api import Category, Domain

DOMAIN = Domain(
    slug="supervision",
    name="日常监管",
    name_en="Daily supervision",
    description="双随机、一公开及日常检查中的乱收费、乱罚款、乱检查、干扰企业经营等问题",
    categories=(
        Category("arbitrary_fees", "乱收费"),
        Category("arbitrary_fines", "乱罚款"),
        Category("arbitrary_levies", "乱摊派"),
        Category("arbitrary_inspections", "乱检查"),
        Category("business_interference", "干扰企业经营"),
        Category("not_random_inspection", "未按双随机抽查"),
        Category("results_unpublished", "结果未公示"),
        Category("result_tampering", "篡改检查检验结果"),
        Category("extortion", "吃拿卡要"),
        Category("other", "其他"),
    ),
)
