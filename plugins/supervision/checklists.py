"""Checklist templates of daily supervision (日常监管), registered through ``xingfeng_register_checklists``.

Each basis names a published rule or document; article numbers are left out on purpose (the documents are cited
as a whole), so that a later revision of a document does not make a template cite the wrong article.
"""

from __future__ import annotations

from core.plugin_api import ChecklistCondition as Condition
from core.plugin_api import ChecklistItem as Item
from core.plugin_api import ChecklistTemplate as Template

# --- the documents the items rest on ------------------------------------------------------------------------
SHUANG_SUIJI = "《国务院关于在市场监管领域全面推行部门联合“双随机、一公开”监管的意见》（国发〔2019〕5号）"
SUIJI_CHOUCHA = "《国务院办公厅关于推广随机抽查规范事中事后监管的通知》（国办发〔2015〕58号）"
SAMR_SHUANG_SUIJI = "《市场监管总局关于全面推进“双随机、一公开”监管工作的通知》"
YINGSHANG = "《优化营商环境条例》（国务院令第722号）"
XINGZHENG_CHUFA = "《中华人民共和国行政处罚法》"
SHEQI_JIANCHA = "《国务院办公厅关于严格规范涉企行政检查的意见》"
SAN_ZHIDU = (
    "《国务院办公厅关于全面推行行政执法公示制度执法全过程记录制度重大执法决定法制审核制度的指导意见》"
    "（国办发〔2018〕118号）"
)
BAXIANG = "《中共中央政治局关于改进工作作风、密切联系群众的八项规定》"
JILV = "《中国共产党纪律处分条例》"
ZHIFA_JIANDU = "《市场监督管理执法监督暂行规定》"
CAILIANG = "《国务院办公厅关于进一步规范行政裁量权基准制定和管理工作的意见》"
SHOUFEI_MULU = "《全国行政事业性收费目录清单》（财政部公布）"
JIANGBEN = "《国务院办公厅关于进一步优化营商环境降低市场主体制度性交易成本的意见》"
TANPAI = "《禁止向企业摊派暂行条例》"
ZHONGXIAO = "《中华人民共和国中小企业促进法》"
JIANYAN_JIANCE = "《检验检测机构监督管理办法》（国家市场监督管理总局令第39号）"
ZIZHI_RENDING = "《检验检测机构资质认定管理办法》"
RENZHENG = "《中华人民共和国认证认可条例》"
CHANPIN_ZHILIANG = "《中华人民共和国产品质量法》"
SHIPIN_CHOUJIAN = "《食品安全抽样检验管理办法》"
XINXI_GONGSHI = "《企业信息公示暂行条例》（国务院令第654号）"
YICHANG_MINGLU = "《企业经营异常名录管理暂行办法》"
SHIXIN_MINGDAN = "《市场监督管理严重违法失信名单管理办法》（国家市场监督管理总局令第44号）"
XINYONG_XIUFU = "《市场监督管理信用修复管理办法》"
FENGXIAN_FENLEI = "《市场监管总局关于推进企业信用风险分类管理进一步提升监管效能的意见》"
XINYONG_JIANGUAN = (
    "《国务院办公厅关于加快推进社会信用体系建设构建以信用为基础的新型监管机制的指导意见》（国办发〔2019〕35号）"
)
SHIZHONG_SHIHOU = "《国务院关于加强和规范事中事后监管的指导意见》（国发〔2019〕18号）"

YES, NO = ("yes",), ("no",)


def _b(*documents: str) -> str:
    return "；".join(documents)


RANDOM_INSPECTION = Template(
    code="supervision.random_inspection",
    domain="supervision",
    title="“双随机、一公开”抽查规范执行情况检查表",
    basis=_b(SHUANG_SUIJI, SUIJI_CHOUCHA, SAMR_SHUANG_SUIJI),
    target="task",
    description="对一次双随机抽查任务逐项检查：是否按计划从名录库随机抽取检查对象和执法检查人员、抽取是否留痕可复核、"
    "抽查结果是否在检查结束后20个工作日内公示。",
    target_fields=(("task_name", "抽查任务名称"),),
    items=(
        Item("plan", "年度随机抽查工作计划和随机抽查事项清单已制定并向社会公开", _b(SHUANG_SUIJI, SUIJI_CHOUCHA),
             points=10, fail_on=NO, category="not_random_inspection", evidence="always", section="抽查计划与名录库"),
        Item("pools", "检查对象名录库和执法检查人员名录库已建立并动态更新", _b(SHUANG_SUIJI, SAMR_SHUANG_SUIJI),
             points=10, fail_on=NO, category="not_random_inspection", section="抽查计划与名录库"),
        Item("method", "本次检查对象的确定方式", _b(SHUANG_SUIJI, SUIJI_CHOUCHA), answer="single", points=10,
             choices=("从名录库随机抽取", "人工指定", "未经抽取直接检查"), fail_on=("人工指定", "未经抽取直接检查"),
             category="not_random_inspection", severity="serious", section="随机抽取"),
        Item("method_reason", "人工指定或未经抽取的理由及审批情况", _b(SHUANG_SUIJI, SHEQI_JIANCHA), answer="text",
             condition=Condition("method", ("人工指定", "未经抽取直接检查")), evidence="always",
             category="not_random_inspection", section="随机抽取"),
        Item("inspectors_drawn", "执法检查人员从执法检查人员名录库中随机选派，每个检查对象不少于两名",
             _b(SHUANG_SUIJI, XINGZHENG_CHUFA), points=10, fail_on=NO, category="not_random_inspection",
             severity="serious", section="随机抽取"),
        Item("draw_recorded", "抽取过程（随机种子、抽取时间、操作人员、抽取结果）已留痕，可复核",
             _b(SAMR_SHUANG_SUIJI, SAN_ZHIDU), points=10, fail_on=NO, category="not_random_inspection",
             evidence="always", section="随机抽取"),
        Item("recusal", "与检查对象有利害关系的执法检查人员已回避", _b(SHUANG_SUIJI, XINGZHENG_CHUFA), points=5,
             fail_on=NO, category="other", severity="serious", section="随机抽取"),
        Item("records", "现场检查笔录、检查表填写完整规范（按完整程度评分）", _b(SAN_ZHIDU, SAMR_SHUANG_SUIJI),
             answer="score", points=10, fail_below=6, category="other", section="检查实施"),
        Item("published_channel", "抽查结果已通过国家企业信用信息公示系统向社会公示", _b(SHUANG_SUIJI, XINXI_GONGSHI),
             points=10, fail_on=NO, category="results_unpublished", severity="serious", evidence="always",
             section="结果公示"),
        Item("published_days", "检查结束至抽查结果公示间隔的工作日数", _b(SHUANG_SUIJI, XINXI_GONGSHI),
             answer="number", points=10, fail_above=20, category="results_unpublished", severity="serious",
             condition=Condition("published_channel", YES), section="结果公示"),
        Item("followed_up", "发现问题的检查对象已依法处理，处理结果记于企业名下", _b(SHUANG_SUIJI, SHIZHONG_SHIHOU),
             points=10, fail_on=NO, category="other", section="结果公示"),
    ),
)  # fmt: skip

INSPECTOR_CONDUCT = Template(
    code="supervision.inspector_conduct",
    domain="supervision",
    title="执法检查人员检查行为规范回访表",
    basis=_b(XINGZHENG_CHUFA, SHEQI_JIANCHA, YINGSHANG, BAXIANG),
    target="enterprise",
    description="检查后回访被检查企业：执法人员是否亮证执法、告知依据，有无搭车收费、接受宴请礼品、超范围检查、"
    "干扰正常生产经营等行为。",
    target_fields=(("credit_code", "被检查企业统一社会信用代码"),),
    items=(
        Item("card_shown", "检查时执法人员不少于两人并主动出示执法证件", _b(XINGZHENG_CHUFA, SAN_ZHIDU), points=10,
             fail_on=NO, category="arbitrary_inspections", severity="serious", allow_na=False,
             section="亮证执法"),
        Item("told", "检查前告知了检查依据、检查事项以及企业陈述、申辩等权利", _b(XINGZHENG_CHUFA, SHEQI_JIANCHA),
             points=10, fail_on=NO, category="arbitrary_inspections", section="亮证执法"),
        Item("scope", "检查超出了抽查事项清单或检查通知的范围（乱检查）", _b(SHEQI_JIANCHA, SHUANG_SUIJI), points=10,
             fail_on=YES, category="arbitrary_inspections", severity="serious", evidence="on_failure",
             section="检查行为"),
        Item("repeat", "本年度同一部门就同一事项对该企业检查的次数", _b(SHEQI_JIANCHA, SHUANG_SUIJI),
             answer="number", points=10, fail_above=1, category="arbitrary_inspections", section="检查行为"),
        Item("piggyback_fee", "检查中有搭车收费，或要求企业接受指定的有偿检测、培训、咨询等服务",
             _b(YINGSHANG, JIANGBEN), points=10, fail_on=YES, category="arbitrary_fees", severity="grave",
             evidence="on_failure", section="廉洁纪律"),
        Item("meal_gift", "执法人员接受了企业的宴请、礼品、礼金、消费卡或报销费用", _b(BAXIANG, JILV), points=10,
             fail_on=YES, category="extortion", severity="grave", allow_na=False, section="廉洁纪律"),
        Item("meal_gift_detail", "宴请或礼品情况（时间、价值、涉及人员）", _b(BAXIANG, JILV), answer="text",
             condition=Condition("meal_gift", YES), evidence="always", section="廉洁纪律"),
        Item("meal_gift_returned", "收受的礼品、礼金已退还或上交并向组织报告", _b(JILV), points=0, fail_on=NO,
             condition=Condition("meal_gift", YES), category="extortion", severity="grave", section="廉洁纪律"),
        Item("interference", "检查影响了企业正常生产经营（如无故要求停产停业配合、长时间占用经营场所、"
             "查封扣押与检查无关的财物）", _b(YINGSHANG, SHEQI_JIANCHA), points=10, fail_on=YES,
             category="business_interference", severity="serious", evidence="on_failure", section="检查行为"),
        Item("result_told", "检查结果当场告知企业并由企业签字确认", _b(SAN_ZHIDU, SHEQI_JIANCHA), points=5,
             fail_on=NO, category="arbitrary_inspections", section="检查行为"),
        Item("satisfaction", "企业对本次检查的总体评价", _b(YINGSHANG), answer="single", points=5,
             choices=("满意", "基本满意", "不满意"), fail_on=("不满意",), category="other", section="企业评价"),
    ),
)  # fmt: skip

NO_ARBITRARY_CHARGES = Template(
    code="supervision.no_arbitrary_charges",
    domain="supervision",
    title="乱收费、乱罚款、乱摊派自查表",
    basis=_b(YINGSHANG, XINGZHENG_CHUFA, TANPAI, ZHONGXIAO),
    target="unit",
    description="单位自查收费是否在目录清单之内、罚款是否执行裁量权基准、有无罚没指标，以及有无向企业摊派。",
    items=(
        Item("fees_listed", "所收取的行政事业性收费均列入目录清单，项目、标准和依据已在办事场所和网站公示",
             _b(SHOUFEI_MULU, YINGSHANG), points=10, fail_on=NO, category="arbitrary_fees", severity="serious",
             evidence="always", section="收费"),
        Item("fees_unlisted", "存在目录清单以外的收费，或转由中介机构、行业协会、下属单位代收费用",
             _b(SHOUFEI_MULU, JIANGBEN), points=10, fail_on=YES, category="arbitrary_fees", severity="grave",
             evidence="on_failure", section="收费"),
        Item("fees_refunded", "违规收取的费用已全部清退", _b(JIANGBEN), points=5, fail_on=NO,
             condition=Condition("fees_unlisted", YES), category="arbitrary_fees", severity="serious",
             evidence="always", section="收费"),
        Item("fine_quota", "下达或者变相下达罚没指标，或将罚没收入与考核、经费挂钩", _b(XINGZHENG_CHUFA), points=10,
             fail_on=YES, category="arbitrary_fines", severity="grave", allow_na=False, section="罚款"),
        Item("discretion", "行政处罚执行本单位公布的行政处罚裁量权基准", _b(CAILIANG, XINGZHENG_CHUFA), points=10,
             fail_on=NO, category="arbitrary_fines", severity="serious", section="罚款"),
        Item("first_offence", "初次违法且危害后果轻微并及时改正的，依法不予行政处罚的执行情况",
             _b(XINGZHENG_CHUFA, YINGSHANG), answer="single", points=10,
             choices=("已执行", "部分执行", "未执行"), fail_on=("部分执行", "未执行"), category="arbitrary_fines",
             section="罚款"),
        Item("deviating_fines", "抽查的处罚案卷中罚款金额偏离裁量权基准且无说明理由的件数", _b(CAILIANG),
             answer="number", points=10, fail_above=0, category="arbitrary_fines", evidence="on_failure",
             section="罚款"),
        Item("levies", "要求企业提供捐赠赞助、订购报刊资料、参加收费培训或评比达标表彰等",
             _b(TANPAI, ZHONGXIAO, YINGSHANG), points=10, fail_on=YES, category="arbitrary_levies",
             severity="grave", section="摊派"),
        Item("levy_kinds", "向企业摊派的具体形式", _b(TANPAI, ZHONGXIAO), answer="multiple",
             choices=("捐赠赞助", "订购报刊资料", "收费培训", "评比达标表彰", "其他"),
             fail_on=("捐赠赞助", "订购报刊资料", "收费培训", "评比达标表彰", "其他"),
             condition=Condition("levies", YES), category="arbitrary_levies", severity="grave",
             evidence="always", section="摊派"),
        Item("self_check_score", "本单位规范涉企收费和罚款工作的总体情况（自评分）", _b(YINGSHANG, JIANGBEN),
             answer="score", points=10, fail_below=6, category="other", section="总体"),
    ),
)  # fmt: skip

RESULT_INTEGRITY = Template(
    code="supervision.result_integrity",
    domain="supervision",
    title="检查、检验检测和认证结果真实性检查表",
    basis=_b(JIANYAN_JIANCE, ZIZHI_RENDING, RENZHENG, SHIPIN_CHOUJIAN),
    target="agency",
    description="对技术机构和抽检工作逐项核查：抽样、样品流转和原始记录是否完整可追溯，有无篡改数据、"
    "干预结论、降格处理不合格结果。",
    items=(
        Item("sampling", "抽样按规定随机抽取样品、封样，并由被抽样单位签字确认", _b(SHIPIN_CHOUJIAN), points=10,
             fail_on=NO, category="result_tampering", severity="serious", section="抽样"),
        Item("traceable", "样品流转记录和检验检测原始记录完整、可追溯", _b(JIANYAN_JIANCE, ZIZHI_RENDING),
             points=10, fail_on=NO, category="result_tampering", severity="serious", evidence="on_failure",
             section="检验检测"),
        Item("records_match", "抽查的报告与原始记录核对一致的比例（%）", _b(JIANYAN_JIANCE), answer="number",
             points=10, fail_below=100, category="result_tampering", severity="serious", evidence="on_failure",
             section="检验检测"),
        Item("tampered", "存在篡改、伪造检验检测数据、原始记录或报告的情形", _b(JIANYAN_JIANCE, CHANPIN_ZHILIANG),
             points=10, fail_on=YES, category="result_tampering", severity="grave", allow_na=False,
             evidence="on_failure", section="检验检测"),
        Item("signatory", "检验检测报告由授权签字人在授权范围内签发", _b(JIANYAN_JIANCE, ZIZHI_RENDING), points=10,
             fail_on=NO, category="result_tampering", section="检验检测"),
        Item("interference", "有人员打招呼、授意或施压要求变更检查、检验检测或认证结论",
             _b(ZHIFA_JIANDU, JIANYAN_JIANCE), points=10, fail_on=YES, category="result_tampering",
             severity="grave", allow_na=False, section="结论"),
        Item("interference_detail", "干预情况说明（人员、事项、经过、处理）", _b(ZHIFA_JIANDU), answer="text",
             condition=Condition("interference", YES), evidence="always", section="结论"),
        Item("certificates", "认证证书的发放、暂停、撤销与认证结论一致，无未经评定变更", _b(RENZHENG), points=10,
             fail_on=NO, category="result_tampering", section="结论"),
        Item("notified", "不合格检验结论按规定时限送达被抽样单位并报告", _b(SHIPIN_CHOUJIAN), points=10,
             fail_on=NO, category="result_tampering", section="不合格处置"),
        Item("no_downgrade", "不合格结果的核查处置与检验结论一致，无降格处理或以合格结论代替",
             _b(SHIPIN_CHOUJIAN, CHANPIN_ZHILIANG), points=10, fail_on=NO, category="result_tampering",
             severity="serious", section="不合格处置"),
    ),
)  # fmt: skip

CREDIT_SUPERVISION = Template(
    code="supervision.credit_supervision",
    domain="supervision",
    title="信用监管工作流程检查表",
    basis=_b(XINYONG_JIANGUAN, XINXI_GONGSHI, SHIXIN_MINGDAN, XINYONG_XIUFU),
    target="unit",
    description="检查信用风险分类与抽查的衔接、年报抽查、经营异常名录和严重违法失信名单程序、信息公示时限，"
    "以及信用修复是否按时、免费办理。",
    items=(
        Item("risk_based", "已按企业信用风险分类结果确定抽查比例和频次", _b(FENGXIAN_FENLEI, XINYONG_JIANGUAN),
             points=10, fail_on=NO, category="not_random_inspection", section="分类监管"),
        Item("annual_reports", "已对企业年度报告公示信息开展随机抽查", _b(XINXI_GONGSHI, SHUANG_SUIJI), points=10,
             fail_on=NO, category="not_random_inspection", section="分类监管"),
        Item("abnormal_list", "列入经营异常名录的决定已告知企业并按规定公示", _b(YICHANG_MINGLU, XINXI_GONGSHI),
             points=10, fail_on=NO, category="results_unpublished", section="名录管理"),
        Item("serious_list", "列入严重违法失信名单前履行了告知、陈述申辩和听证等程序", _b(SHIXIN_MINGDAN),
             points=10, fail_on=NO, category="other", severity="serious", evidence="on_failure",
             section="名录管理"),
        Item("penalty_published", "行政处罚等信息在产生之日起20个工作日内归集并公示于企业名下", _b(XINXI_GONGSHI),
             points=10, fail_on=NO, category="results_unpublished", severity="serious", section="信息公示"),
        Item("sanctions_lawful", "失信惩戒措施均有法律法规依据，无擅自扩大惩戒范围或对象",
             _b(XINYONG_JIANGUAN), points=10, fail_on=NO, category="business_interference", severity="serious",
             section="惩戒与修复"),
        Item("repair_overdue", "超过办理时限未办结的信用修复申请件数", _b(XINYONG_XIUFU), answer="number",
             points=10, fail_above=0, category="other", evidence="on_failure", section="惩戒与修复"),
        Item("repair_fee", "办理信用修复时收取费用，或要求企业购买信用报告、参加收费培训", _b(XINYONG_XIUFU),
             points=10, fail_on=YES, category="arbitrary_fees", severity="grave", allow_na=False,
             section="惩戒与修复"),
        Item("repair_score", "信用修复指引、申请材料清单和办理流程公开程度（评分）", _b(XINYONG_XIUFU),
             answer="score", points=10, fail_below=6, category="other", section="惩戒与修复"),
    ),
)  # fmt: skip

ENTERPRISE_INSPECTIONS = Template(
    code="supervision.enterprise_inspections",
    domain="supervision",
    title="涉企行政检查登记备案检查表",
    basis=_b(SHEQI_JIANCHA, YINGSHANG, SAN_ZHIDU),
    target="unit",
    description="检查涉企行政检查是否有主体和事项清单、是否事前登记、频次是否受控、是否合并联合开展、结果是否反馈。",
    items=(
        Item("subjects_published", "行政检查主体清单已向社会公布", _b(SHEQI_JIANCHA), points=10, fail_on=NO,
             category="arbitrary_inspections", section="清单"),
        Item("matters_published", "行政检查事项清单已公布，实施的检查均在清单之内", _b(SHEQI_JIANCHA, SAN_ZHIDU),
             points=10, fail_on=NO, category="arbitrary_inspections", severity="serious", section="清单"),
        Item("registered", "每次涉企检查均在实施前登记检查人员、对象、事项和依据", _b(SHEQI_JIANCHA, SAN_ZHIDU),
             points=10, fail_on=NO, category="arbitrary_inspections", severity="serious", evidence="always",
             section="登记"),
        Item("unregistered", "抽查期内未经登记即实施的涉企检查次数", _b(SHEQI_JIANCHA), answer="number", points=10,
             fail_above=0, category="arbitrary_inspections", severity="serious", evidence="on_failure",
             section="登记"),
        Item("kinds", "本期实施的涉企检查类型", _b(SHEQI_JIANCHA, SHUANG_SUIJI), answer="multiple",
             choices=("双随机抽查", "重点检查", "专项检查", "投诉举报核查", "其他"), section="登记"),
        Item("non_random_approved", "双随机抽查以外的检查已经本单位负责人批准", _b(SHEQI_JIANCHA), points=10,
             fail_on=NO, condition=Condition("kinds", ("重点检查", "专项检查", "投诉举报核查", "其他")),
             category="not_random_inspection", section="登记"),
        Item("complaint_scope", "投诉举报核查限于举报事项，未借机扩大检查范围", _b(SHEQI_JIANCHA), points=10,
             fail_on=NO, condition=Condition("kinds", ("投诉举报核查",)), category="arbitrary_inspections",
             section="登记"),
        Item("frequency", "对同一企业的检查未超过年度检查频次上限", _b(SHEQI_JIANCHA, YINGSHANG), points=10,
             fail_on=NO, category="arbitrary_inspections", section="频次"),
        Item("joint", "多个部门对同一企业的检查已合并或联合开展（“进一次门、查多项事”）",
             _b(SHUANG_SUIJI, SHEQI_JIANCHA), points=10, fail_on=NO, category="business_interference",
             section="频次"),
        Item("feedback", "检查结果已按规定反馈企业并依法公开", _b(SHEQI_JIANCHA, SAN_ZHIDU), points=10, fail_on=NO,
             category="results_unpublished", section="结果"),
    ),
)  # fmt: skip

TEMPLATES = (
    RANDOM_INSPECTION,
    INSPECTOR_CONDUCT,
    NO_ARBITRARY_CHARGES,
    RESULT_INTEGRITY,
    CREDIT_SUPERVISION,
    ENTERPRISE_INSPECTIONS,
)
