"""Tests of the phrases the prose takes from the run."""

from snippets.phrases import agreement


def test_agreement_says_exactly_only_for_a_zero_difference():
    """'exactly' for 0; float32 rounding below 1e-5; neither above."""
    exact, rounding, large = (
        agreement("d", diff) for diff in (0.0, 9.5e-7, 0.01)
    )
    assert "exactly" in exact["d_en"]
    assert "一位不差" in exact["d_zh"]
    assert rounding["d_en"] == "differ only by float32 rounding"
    assert "rounding" in rounding["d_en"]
    assert "exactly" not in rounding["d_en"]
    assert "舍入" in rounding["d_zh"]
    assert "一位不差" not in rounding["d_zh"]
    assert "more than" in large["d_en"]
    assert "超出" in large["d_zh"]
