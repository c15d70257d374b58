"""Words of the prose that depend on a number the run produced."""


def agreement(name, diff):
    """How two results compare, as NAME_en and NAME_zh phrases."""
    if diff == 0:
        en = "agree exactly: not a single bit differs"
        zh = "完全相同，一位不差"
    elif diff < 1e-5:
        en = "differ only by float32 rounding"
        zh = "只差 float32 的舍入"
    else:
        en = "differ by more than float32 rounding"
        zh = "相差超出了 float32 的舍入"
    return {f"{name}_en": en, f"{name}_zh": zh}


def comparison(name, a, b):
    """Where a stands against b, as NAME_en ('higher than') and NAME_zh."""
    if a > b:
        en, zh = "higher than", "高于"
    elif a < b:
        en, zh = "lower than", "低于"
    else:
        en, zh = "the same as", "等于"
    return {f"{name}_en": en, f"{name}_zh": zh}
