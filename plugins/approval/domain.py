"""The approval-services domain (审批服务) and its problem categories."""

from core.plugin_api import Category, Domain

DOMAIN = Domain(
    slug="approval",
    name="审批服务",
    name_en="Approval services",
    description="政务服务窗口审批办件中的一次性告知、首问负责、限时办结等作风问题",
    categories=(
        Category("one_time_notice", "一次性告知未落实"),
        Category("first_inquiry", "首问负责未落实"),
        Category("late_completion", "超时办结"),
        Category("intermediary_collusion", "中介、黄牛勾连"),
        Category("illegal_fees", "违规收费"),
        Category("attitude", "服务态度"),
        Category("buck_passing", "推诿扯皮"),
        Category("extortion", "吃拿卡要"),
        Category("other", "其他"),
    ),
)
