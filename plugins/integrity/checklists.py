"""The annual self-check of integrity risk points (年度廉政风险点自查), registered by ``xingfeng_register_checklists``.

Each basis names a published rule or document, cited as a whole (no article numbers), so that a later revision of a
document does not make the template cite the wrong article.
"""

from __future__ import annotations

from core.plugin_api import ChecklistItem as Item
from core.plugin_api import ChecklistTemplate as Template

# --- the documents the items rest on ------------------------------------------------------------------------
ZHUTI_ZEREN = "《党委（党组）落实全面从严治党主体责任规定》"
ZERENZHI = "《关于实行党风廉政建设责任制的规定》"
JILV = "《中国共产党纪律处分条例》"
LIANJIE = "《中国共产党廉洁自律准则》"
ZHENGWU_CHUFEN = "《中华人民共和国公职人员政务处分法》"
JIANCHA = "《中华人民共和国监察法》"
JIAOLIU = "《公务员交流规定》"
LINGDAO_JIAOLIU = "《党政领导干部交流工作规定》"
SAN_ZHIDU = (
    "《国务院办公厅关于全面推行行政执法公示制度执法全过程记录制度重大执法决定法制审核制度的指导意见》"
    "（国办发〔2018〕118号）"
)
CAILIANG = "《国务院办公厅关于进一步规范行政裁量权基准制定和管理工作的意见》（国办发〔2022〕27号）"
CAILIANG_SAMR = "《市场监管总局关于规范市场监督管理行政处罚裁量权的指导意见》"
GANYU = "《领导干部干预司法活动、插手具体案件处理的记录、通报和责任追究规定》"
ZHIFA_JIANDU = "《市场监督管理执法监督暂行规定》"
BAXIANG = "《中共中央政治局关于改进工作作风、密切联系群众的八项规定》"
ZHENGFU_XINXI = "《中华人民共和国政府信息公开条例》"

YES, NO = ("yes",), ("no",)


def _b(*documents: str) -> str:
    return "；".join(documents)


RISK_SELF_CHECK = Template(
    code="integrity.risk_point_self_check",
    domain="integrity",
    title="年度廉政风险点自查",
    basis=_b(ZHUTI_ZEREN, ZERENZHI, JILV, LIANJIE),
    release="2024.1",
    description="每年对本单位廉政风险点排查防控工作逐项自查：岗位风险点是否全覆盖、等级评定和防控措施是否落实、"
    "高风险岗位轮岗、廉政承诺、一岗双责、警示教育、权力公开运行和复核机制。答“否”的项目转为廉政风险防控问题。",
    items=(
        Item(
            "coverage",
            "本单位每个岗位均已排查并登记廉政风险点，岗位风险点全覆盖、无遗漏",
            _b(ZHUTI_ZEREN, ZERENZHI),
            points=10,
            fail_on=NO,
            category="risk_control",
            evidence="on_failure",
            section="风险排查",
        ),
        Item(
            "collective_rating",
            "风险等级（高、中、低）评定经领导班子集体研究确定，并有会议记录",
            _b(ZHUTI_ZEREN, "《中国共产党党内监督条例》"),
            points=8,
            fail_on=NO,
            category="risk_control",
            section="风险排查",
        ),
        Item(
            "review",
            "已建立风险点定期复核和动态调整机制，本年度已对全部风险点完成复核",
            _b(ZHUTI_ZEREN, ZERENZHI),
            points=8,
            fail_on=NO,
            category="risk_control",
            section="风险排查",
        ),
        Item(
            "measures",
            "每个风险点的防控措施具体、可操作、可检查，并明确到责任人",
            _b(ZERENZHI, ZHIFA_JIANDU),
            points=10,
            fail_on=NO,
            category="risk_control",
            section="防控措施",
        ),
        Item(
            "rotation",
            "高风险岗位人员按规定定期轮岗交流（同一岗位任职满规定年限的已交流或说明理由）",
            _b(JIAOLIU, LINGDAO_JIAOLIU),
            points=8,
            fail_on=NO,
            category="risk_control",
            section="防控措施",
        ),
        Item(
            "discretion",
            "行政处罚等自由裁量事项已制定裁量基准并公开，执法中严格执行",
            _b(CAILIANG, CAILIANG_SAMR),
            points=8,
            fail_on=NO,
            category="risk_control",
            section="防控措施",
        ),
        Item(
            "power_public",
            "权力清单、责任清单和办事（执法）流程已公开，权力运行全过程留痕",
            _b(SAN_ZHIDU, ZHENGFU_XINXI),
            points=8,
            fail_on=NO,
            category="risk_control",
            section="防控措施",
        ),
        Item(
            "pledge",
            "全体干部职工已签订廉政承诺书，逐级签订党风廉政建设责任书",
            _b(ZERENZHI, LIANJIE),
            points=8,
            fail_on=NO,
            category="risk_control",
            evidence="always",
            section="责任落实",
        ),
        Item(
            "dual_duty",
            "领导班子成员落实“一岗双责”，对分管领域廉政风险防控情况进行过专题检查或谈话提醒",
            _b(ZHUTI_ZEREN, ZERENZHI),
            points=8,
            fail_on=NO,
            category="risk_control",
            section="责任落实",
        ),
        Item(
            "warning_education",
            "本年度开展警示教育（以案说法、参观警示教育基地、通报典型案例）的次数",
            _b(ZHUTI_ZEREN, JILV),
            answer="number",
            fail_below=2,
            category="risk_control",
            section="教育监督",
        ),
        Item(
            "interference_record",
            "干预执法办案、插手具体案件、说情打招呼的情况均已如实记录并报告",
            _b(GANYU, ZHIFA_JIANDU),
            points=8,
            fail_on=NO,
            category="interference",
            section="教育监督",
        ),
        Item(
            "eat_take_demand",
            "本年度是否发现吃拿卡要、收受管理服务对象礼品礼金或接受宴请的情况",
            _b(BAXIANG, JILV, ZHENGWU_CHUFEN),
            fail_on=YES,
            category="eat_take_demand",
            severity="serious",
            allow_na=False,
            section="教育监督",
        ),
        Item(
            "leads",
            "群众举报和上级转办的廉政问题线索均已登记并按规定移交纪检监察机构处置",
            _b(JIANCHA, JILV),
            points=8,
            fail_on=NO,
            category="risk_control",
            section="教育监督",
        ),
    ),
)

TEMPLATES = (RISK_SELF_CHECK,)
