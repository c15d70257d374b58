"""Alt text read from the SVG of a matplotlib figure."""

from __future__ import annotations

import io

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from execnotes.render.figures import alt_text


def svg_of(figure: plt.Figure) -> str:
    """The figure saved as the runner saves it."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(figure)
    return buffer.getvalue()


@pytest.fixture
def curves() -> str:
    """Two panels: curves with labels and a legend, then a titled one."""
    fig, (left, right) = plt.subplots(1, 2)
    left.plot([1, 2, 3], [0.5, 0.7, 0.8], label="train_acc")
    left.plot([1, 2, 3], [0.4, 0.6, 0.7], label="test_acc")
    left.set(xlabel="epoch", ylabel="accuracy")
    left.legend()
    right.plot([0, 1], [1, 0])
    right.set(title="loss", xlabel="step")
    return svg_of(fig)


def test_charts_are_described_by_labels_and_legend(curves: str) -> None:
    """Each panel says what is plotted against what, with its legend,
    and tick labels are left out."""
    assert alt_text(curves, "en") == (
        "2 charts: chart of accuracy against epoch "
        "(legend: train_acc, test_acc); chart of loss against step."
    )
    assert alt_text(curves, "zh") == (
        "2 幅图：accuracy 随 epoch 变化的图（图例：train_acc、test_acc）；"
        "loss 随 step 变化的图。"
    )


def test_image_grids_list_their_titles() -> None:
    """A grid of images lists their titles after the figure's title."""
    fig, axes = plt.subplots(1, 3)
    for ax, title in zip(axes, ("coat", "bag", "shirt"), strict=True):
        ax.imshow(np.zeros((2, 2)))
        ax.set_title(title)
        ax.axis("off")
    fig.suptitle("three images")
    assert alt_text(svg_of(fig), "en") == (
        "Three images: 3 images: coat, bag, shirt."
    )


def test_a_figure_without_words_falls_back() -> None:
    """With no title, label or legend the fallback is used."""
    fig, ax = plt.subplots()
    ax.imshow(np.zeros((2, 2)))
    ax.axis("off")
    assert alt_text(svg_of(fig), "en", fallback="Draw zeros.") == (
        "Draw zeros."
    )
    assert alt_text("<svg", "en", fallback="Draw zeros.") == "Draw zeros."
