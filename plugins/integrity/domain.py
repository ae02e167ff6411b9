"""The team-conduct and integrity domain (队伍建设与廉政) and its problem categories."""

from core.plugin_api import Category, Domain

DOMAIN = Domain(
    slug="integrity",
    name="队伍建设与廉政",
    name_en="Team conduct and integrity",
    description="党风廉政建设目标责任、执法证件管理、廉政风险防控中的吃拿卡要、违反中央八项规定精神、请托说情干预办案等问题",
    categories=(
        Category("eight_rules", "违反中央八项规定精神"),
        Category("eat_take_demand", "吃拿卡要"),
        Category("interference", "请托说情干预办案"),
        Category("law_breaking", "执法犯法"),
        Category("work_style", "作风不实"),
        Category("risk_control", "廉政风险防控不到位"),
        Category("certificate", "执法证件管理不规范"),
        Category("other", "其他"),
    ),
)
