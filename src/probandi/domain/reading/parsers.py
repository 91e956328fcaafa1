"""Value parsers for labelled fields: each takes the text after a label and returns the
normalized value, or None when the text is not such a value."""

from __future__ import annotations

import re
from collections.abc import Callable

from probandi.domain.reading.normalize import digit_runs, parse_amounts, parse_date, usccs_in

# Labels of other fields: text carrying one is not a name.
_OTHER_LABELS = re.compile(
    r"纳税人|识别号|地址|电话|开户行|账号|税号|信用代码|日期|号码|代码|金额|合计|校验码|"
    r"规格|型号|单价|单位|数量|税率|税额|货物|服务|项目"
)
_NAME_LABEL = re.compile(r"^(?:名\s*)?称\s*[:：]?\s*")


def digits(*lengths: int) -> Callable[[str], str | None]:
    def parse(text: str) -> str | None:
        runs = digit_runs(text, lengths)
        return runs[0] if runs else None

    return parse


def iso_date(text: str) -> str | None:
    day = parse_date(text)
    return day.isoformat() if day else None


def amount(text: str) -> str | None:
    amounts = parse_amounts(text)
    return f"{amounts[0]:.2f}" if amounts else None


def uscc(text: str) -> str | None:
    found = usccs_in(text)
    valid = [code for code, ok in found if ok]
    if valid:
        return valid[0]
    return found[0][0] if found else None


def name(text: str) -> str | None:
    """A party's name: some letters, and no other field's label."""
    text = _NAME_LABEL.sub("", text).strip(" :：")
    text = re.sub(r"^[(（][^)）]{1,6}[)）]\s*[:：]?\s*", "", text)  # 授权方（甲方）：...
    # One misread character in the legal form: 有粮公司 is 有限公司.
    text = re.sub(r"有.公司$", "有限公司", text)
    text = re.sub(r"有限.任公司$", "有限责任公司", text)
    if len(text) < 2 or _OTHER_LABELS.search(text) or not re.search(r"[^\W\d_]", text):
        return None
    return text


def text_value(text: str) -> str | None:
    text = text.strip(" :：")
    return text if len(text) >= 2 else None
