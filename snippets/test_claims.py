"""Tests of the interpretations the notes put on numbers from the run.

Each test pins one sentence of a page: the number the page quotes, and
the words it reads from it, cannot drift apart unnoticed.
"""

from snippets import mlp


def test_mlp_summary_compares_the_models_and_quotes_d2l_epochs():
    """mlp page: higher/lower words follow the accuracies; d2l's 5 epochs."""
    mlp_history = {"train_acc": [0.8] * 9 + [0.9], "test_acc": [0.84] * 10}
    softmax_history = {"train_acc": [0.85] * 10, "test_acc": [0.85] * 10}
    mlp_history["test_acc"][4] = 0.86
    summary = mlp.mlp_summary(mlp_history, softmax_history, 0.5, 0.1)
    assert summary["test_en"] == "lower than"
    assert summary["test_zh"] == "低于"
    assert summary["train_en"] == "higher than"
    assert summary["d2l_epochs"] == 5
    assert summary["mlp_test_acc_d2l"] == 0.86
    assert summary["num_epochs"] == 10
