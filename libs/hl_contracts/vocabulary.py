"""The closed vocabularies of the contract, with the Chinese label each official form uses."""

from __future__ import annotations

from enum import StrEnum


class HazardLevel(StrEnum):
    GENERAL = "general"  # 一般事故隐患
    MAJOR = "major"  # 重大事故隐患


class HazardSource(StrEnum):
    SELF_INSPECTION = "self_inspection"  # 企业自查
    DEPARTMENT_INSPECTION = "department_inspection"  # 部门检查
    PUBLIC_REPORT = "public_report"  # 举报
    OTHER = "other"  # 其他


class ProductionHalt(StrEnum):
    NONE = "none"  # 未停产
    PARTIAL = "partial"  # 局部停产
    FULL = "full"  # 全部停产


class ListingLevel(StrEnum):
    """挂牌督办 levels, ordered from lowest to highest."""

    COUNTY = "county"  # 县级
    CITY = "city"  # 市级
    PROVINCE = "province"  # 省级

    @property
    def rank(self) -> int:
        return list(ListingLevel).index(self)


class HazardStatus(StrEnum):
    REPORTED = "reported"  # 已上报
    RECTIFYING = "rectifying"  # 整改中
    RECTIFIED = "rectified"  # 已整改待验收
    CLOSED = "closed"  # 已销号
    VOIDED = "voided"  # 已作废


class AttachmentKind(StrEnum):
    """What a piece of evidence (佐证材料) is."""

    PHOTO = "photo"  # 现场照片
    PLAN = "plan"  # 整改方案
    ACCEPTANCE_RECORD = "acceptance_record"  # 验收记录
    NOTICE = "notice"  # 督办通知书 / 文书
    OTHER = "other"  # 其他


class AttachmentStep(StrEnum):
    """The step of a hazard's life that a piece of evidence belongs to."""

    FOUND = "found"  # 发现
    PLAN = "plan"  # 整改方案
    RECTIFICATION = "rectification"  # 整改
    ACCEPTANCE = "acceptance"  # 验收
    LISTING = "listing"  # 挂牌督办
    EXTENSION = "extension"  # 延期
    VOID = "void"  # 作废


class TipCategory(StrEnum):
    """What a tipster says the tip is about (举报类别)."""

    HAZARD = "hazard"  # 事故隐患
    ILLEGAL_ACT = "illegal_act"  # 安全生产非法违法行为
    CONCEALED_ACCIDENT = "concealed_accident"  # 瞒报谎报事故


class TipFinding(StrEnum):
    """What a verified tip turned out to be (查实情况); it decides the reward rule."""

    MAJOR_HAZARD = "major_hazard"  # 重大事故隐患
    GENERAL_HAZARD = "general_hazard"  # 一般事故隐患
    ILLEGAL_ACT = "illegal_act"  # 非法违法行为
    CONCEALED_ACCIDENT = "concealed_accident"  # 瞒报谎报事故

    @property
    def hazard_level(self) -> HazardLevel | None:
        """The level of the hazard this finding records, if it is a hazard."""
        return {"major_hazard": HazardLevel.MAJOR, "general_hazard": HazardLevel.GENERAL}.get(self.value)


class AccidentGrade(StrEnum):
    """Accident grades (事故等级), lowest first."""

    GENERAL = "general"  # 一般事故
    LARGER = "larger"  # 较大事故
    MAJOR = "major"  # 重大事故
    PARTICULARLY_SERIOUS = "particularly_serious"  # 特别重大事故


class TipStatus(StrEnum):
    FILED = "filed"  # 已受理
    HANDLING = "handling"  # 办理中
    VERIFIED = "verified"  # 已查实
    UNFOUNDED = "unfounded"  # 不予查实
    DUPLICATE = "duplicate"  # 重复举报


class RewardStatus(StrEnum):
    COMPUTED = "computed"  # 已核定
    APPROVED = "approved"  # 已审批
    CLAIMED = "claimed"  # 已申领
    PAID = "paid"  # 已发放


class IdentityPurpose(StrEnum):
    """Why the handler opens a tipster's identity (the only reasons the audit records)."""

    CONTACT_FOR_DETAILS = "contact_for_details"  # 核实情况联系举报人
    REWARD_PAYMENT = "reward_payment"  # 发放奖励
    PROTECTION = "protection"  # 举报人保护
    LEGAL_REQUEST = "legal_request"  # 依法调取


MAX_CO_SIGNATORIES = 19
"""A joint report (联名举报) names at most 20 people: its first signatory and 19 others."""


INDUSTRIES: dict[str, str] = {
    "coal_mine": "煤矿",
    "non_coal_mine": "非煤矿山",
    "hazardous_chemicals": "危险化学品",
    "fireworks": "烟花爆竹",
    "metallurgy_industry_trade": "冶金工贸",
    "construction": "建筑施工",
    "town_gas": "城镇燃气",
    "fire_safety": "消防",
    "road_transport": "道路运输",
    "waterway_transport": "水上交通",
    "fishing_vessels": "渔业船舶",
    "special_equipment": "特种设备",
    "tourism": "旅游",
    "civil_explosives": "民爆",
    "power": "电力",
    "railway": "铁路",
    "civil_aviation": "民航",
    "agricultural_machinery": "农机",
    "education": "校园",
    "self_built_housing": "经营性自建房",
    "other": "其他",
}

# Dispatch table section 二, rows 2–8: deficiencies found in spot inspections (抽查检查).
DEFICIENCIES: dict[str, str] = {
    "principal_not_studied": "企业主要负责人未按要求亲自研究排查整治工作",
    "principal_not_led_inspection": "企业主要负责人未带队检查",
    "no_deputy_duty_list": "企业未制定分管负责人职责清单",
    "insufficient_safety_staff": "企业未依法建立安全管理机构和配足安全管理人员",
    "uncertified_special_workers": "电焊等特种作业岗位人员无证上岗作业",
    "outsourcing_chaos": "外包外租安全管理混乱",
    "no_emergency_drill": "未按规定开展应急演练、员工不熟悉逃生出口",
}

# Dispatch table section 三: kinds of enforcement action (部门精准严格执法).
ENFORCEMENT_KINDS: dict[str, str] = {
    "assistance_visit": "帮扶指导",
    "administrative_penalty": "行政处罚",
    "dual_penalty": "一案双罚",
    "judicial_referral": "移送司法机关",
    "suspension_order": "责令停产整顿",
    "exposure": "曝光",
    "interview": "约谈",
    "joint_punishment": "联合惩戒",
    "typical_case": "公布典型案例",
    "accountability": "责任倒查追责问责",
    "region_interview": "约谈通报有关地区及部门",
}

STANDARDIZATION_GRADES: dict[str, str] = {
    "level1": "一级",
    "level2": "二级",
    "level3": "三级",
    "none": "未达标",
}
