"""统一社会信用代码 (USCC, GB 32100-2015): validation that says which rule a code breaks.

    position  1     registration authority (登记管理部门码)   1-9, A, N or Y
              2     organisation type (机构类别码), allowed per authority
              3-8   administrative division of the registrar (GB/T 2260)
              9-17  organisation code (主体标识码, GB 11714) with its own mod-11 check character
              18    check character, ISO 7064 mod 31 over positions 1-17

python-stdnum (`stdnum.cn.uscc`) normalises the input and computes the mod-31 check; its own
`validate` is not used because it wants positions 1-8 to be digits, which refuses the valid
letter authorities (A, N, Y), and it cannot say which rule failed.
"""

from __future__ import annotations

from enum import StrEnum

from stdnum.cn import uscc as stdnum_uscc

from hl_platform.errors import InvalidInput

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # digits and capitals without I, O, Z, S, V

# Authority → organisation types it registers (GB 32100-2015 table 1 and its later assignments).
ORG_TYPES: dict[str, str] = {
    "1": "1239",  # 机构编制: 机关, 事业单位, 编办直管群众团体, 其他
    "2": "19",  # 外交
    "3": "123459",  # 司法行政: 律所, 公证处, 基层法律服务所, 司法鉴定机构, 仲裁委员会, 其他
    "4": "19",  # 文化
    "5": "1239",  # 民政: 社会团体, 民办非企业单位, 基金会, 其他
    "6": "129",  # 旅游
    "7": "129",  # 宗教
    "8": "19",  # 工会
    "9": "123",  # 工商 / 市场监管: 企业, 个体工商户, 农民专业合作社
    "A": "19",  # 中央军委改革和编制办公室
    "N": "1239",  # 农业: 组级, 村级, 乡镇级集体经济组织, 其他
    "Y": "1",  # 其他
}

# First two digits of the registrar's division: the provinces, plus 10 for national registrars.
DIVISION_PREFIXES = frozenset(
    "10 11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82".split()
)

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


class UsccRule(StrEnum):
    """The rule a code breaks; the first word of `InvalidInput.reason`."""

    LENGTH = "length"
    CHARSET = "charset"
    AUTHORITY = "registration-authority"
    ORG_TYPE = "org-type"
    DIVISION = "division"
    ORG_CODE = "organisation-code"
    CHECK = "check-character"


class InvalidUscc(InvalidInput):
    """A 统一社会信用代码 that breaks `rule`; `reason` reads "<rule>: <what is wrong>"."""

    def __init__(self, rule: UsccRule, explanation: str) -> None:
        super().__init__(field="uscc", reason=f"{rule}: {explanation}")
        self.rule = rule


def validate_uscc(raw: str) -> str:
    """The normalised code (upper case, no spaces or hyphens), or `InvalidUscc` naming the rule."""
    code = stdnum_uscc.compact(raw)
    _check_length_and_charset(code)
    _check_authority(code)
    _check_division(code)
    _check_org_code(code[8:17])
    expected = stdnum_uscc.calc_check_digit(code[:17])
    if code[17] != expected:
        raise InvalidUscc(UsccRule.CHECK, f"the 18th character should be {expected}, not {code[17]}")
    return code


def _check_length_and_charset(code: str) -> None:
    if len(code) != 18:
        raise InvalidUscc(UsccRule.LENGTH, f"18 characters required, got {len(code)}")
    bad = sorted({ch for ch in code if ch not in ALPHABET})
    if bad:
        raise InvalidUscc(
            UsccRule.CHARSET, f"only digits and capitals other than I, O, Z, S, V are allowed, got {''.join(bad)}"
        )


def _check_authority(code: str) -> None:
    authority, org_type = code[0], code[1]
    if authority not in ORG_TYPES:
        raise InvalidUscc(UsccRule.AUTHORITY, f"{authority} is not a registration authority code")
    if org_type not in ORG_TYPES[authority]:
        raise InvalidUscc(UsccRule.ORG_TYPE, f"{org_type} is not an organisation type of authority {authority}")


def _check_division(code: str) -> None:
    division = code[2:8]
    if not division.isdigit() or division[:2] not in DIVISION_PREFIXES:
        raise InvalidUscc(UsccRule.DIVISION, f"{division} is not an administrative division code")


def _check_org_code(org_code: str) -> None:
    expected = organisation_check_character(org_code[:8])
    if org_code[8] != expected:
        raise InvalidUscc(
            UsccRule.ORG_CODE, f"organisation code {org_code} should end in {expected}, not {org_code[8]}"
        )


def organisation_check_character(body: str) -> str:
    """GB 11714 check character of an 8-character organisation code body (mod 11, 10 → X)."""
    total = sum(_org_value(ch) * weight for ch, weight in zip(body, _ORG_WEIGHTS, strict=True))
    remainder = 11 - total % 11
    return {10: "X", 11: "0"}.get(remainder, str(remainder))


def _org_value(ch: str) -> int:
    return int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10
