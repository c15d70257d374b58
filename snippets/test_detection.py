"""Tests for snippets.detection: scenes, anchors, IoU, labels and NMS."""

import math

import numpy as np
import pytest
from mxnet import nd

from snippets import detection

# Four boxes and the scores of two classes (after the background row);
# boxes 0-2 overlap heavily, box 3 stands apart.
BOXES = nd.array(
    [[0.1, 0.08, 0.52, 0.92], [0.08, 0.2, 0.56, 0.95],
     [0.15, 0.3, 0.62, 0.91], [0.55, 0.2, 0.9, 0.88]]
)  # fmt: skip
CLS_PROBS = nd.array(
    [[0, 0, 0, 0], [0.9, 0.8, 0.7, 0.1], [0.1, 0.2, 0.3, 0.9]]
)


def test_tight_box():
    """The box spans the first to one past the last nonzero row/column."""
    pixels = np.zeros((6, 8))
    pixels[1:4, 2:7] = 1
    pixels[2, 3] = 0
    assert detection.tight_box(pixels) == [2, 1, 7, 4]


def test_scene_boxes_hold_all_the_ink():
    """Every nonzero pixel is inside a box; the boxes never overlap."""
    canvas, labels = detection.fashion_scene(num_objects=4, seed=3)
    assert canvas.shape == (96, 96)
    assert len(set(labels[:, 0])) == 4  # different classes
    boxes = labels[:, 1:]
    assert (boxes >= 0).all()
    assert (boxes <= 1).all()
    inside = np.zeros(canvas.shape, dtype=bool)
    for xmin, ymin, xmax, ymax in np.rint(boxes * 96).astype(int):
        assert not inside[ymin:ymax, xmin:xmax].any()
        inside[ymin:ymax, xmin:xmax] = True
    assert canvas[~inside].sum() == 0
    assert canvas.sum() > 0


def test_scene_depends_only_on_the_seed():
    """Same seed, same scene, whatever NumPy's global state."""
    first = detection.fashion_scene(seed=5)
    np.random.seed(123)
    second = detection.fashion_scene(seed=5)
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    ("box", "expected"),
    [
        ([1, 1, 3, 3], 1 / 7),  # overlap 1, union 4 + 4 - 1
        ([0, 0, 1, 2], 2 / 4),  # half of A
        ([2, 2, 3, 3], 0),  # touches A's corner only
        ([0, 0, 2, 2], 1),  # A itself
        ([0.5, 0.5, 1.5, 1.5], 1 / 4),  # inside A
    ],
)
def test_iou_by_hand(box, expected):
    """IoU with A = [0, 0, 2, 2]: ours and box_iou give the paper value."""
    A, B = nd.array([[0, 0, 2, 2]]), nd.array([box])
    assert detection.iou(A, B).asscalar() == pytest.approx(expected)
    theirs = nd.contrib.box_iou(A, B, format="corner").asscalar()
    assert theirs == pytest.approx(expected)


def test_iou_matches_box_iou_on_random_boxes():
    """An n x m matrix equal to nd.contrib.box_iou's."""
    corners = nd.random.uniform(shape=(7, 2, 2))
    boxes = nd.concat(corners.min(axis=1), corners.max(axis=1), dim=1)
    ours = detection.iou(boxes[:3], boxes)
    theirs = nd.contrib.box_iou(boxes[:3], boxes, format="corner")
    assert ours.shape == (3, 7)
    np.testing.assert_allclose(ours.asnumpy(), theirs.asnumpy(), atol=1e-6)


def test_anchor_sizes_and_centers():
    """Size s, ratio r: width s * sqrt(r), height s / sqrt(r), on a grid."""
    anchors = detection.make_anchors(4)[0].asnumpy()
    shapes = detection.anchor_shapes()
    assert anchors.shape == (4 * 4 * len(shapes), 4)
    width = anchors[:, 2] - anchors[:, 0]
    height = anchors[:, 3] - anchors[:, 1]
    for k, (s, r) in enumerate(shapes):
        np.testing.assert_allclose(
            width[k :: len(shapes)], s * math.sqrt(r), rtol=1e-5
        )
        np.testing.assert_allclose(
            height[k :: len(shapes)], s / math.sqrt(r), rtol=1e-5
        )
    centers = (anchors[:: len(shapes), :2] + anchors[:: len(shapes), 2:]) / 2
    grid = (np.arange(4) + 0.5) / 4
    np.testing.assert_allclose(centers[:4, 0], grid, rtol=1e-5)  # x varies
    np.testing.assert_allclose(centers[::4, 1], grid, rtol=1e-5)


def test_place_of_finds_the_nearest_center():
    """A box centered at (0.51, 0.26) is nearest to grid cell (3, 6)."""
    first = detection.place_of(np.array([0.41, 0.16, 0.61, 0.36]), 4)
    assert first == (3 * detection.FEATURE_SIZE + 6) * 4


def test_multibox_target_labels_by_iou():
    """IoU > 0.5 is positive; each object's best anchor is, even below."""
    anchors = nd.array(
        [[0, 0, 0.5, 0.5], [0, 0, 0.45, 0.5], [0.5, 0.5, 1, 1],
         [0.6, 0.6, 1, 1], [0, 0.5, 0.4, 1],
         [0, 0, 0.5, 0.3], [0, 0, 0.5, 0.2]]
    ).expand_dims(0)  # fmt: skip
    labels = np.array(
        [[3, 0, 0, 0.5, 0.5], [7, 0.5, 0.5, 0.7, 0.7]], dtype=np.float32
    )
    # object 0 overlaps anchors 0, 1, 5, 6 by 1, 0.9, 0.6, 0.4;
    # object 1 overlaps anchor 2 by 0.16 and anchor 3 by 0.05 only
    loc_target, loc_mask, cls_target = detection.label_anchors(anchors, labels)
    assert cls_target[0].asnumpy().tolist() == [4, 4, 8, 0, 0, 4, 0]
    mask = loc_mask[0].reshape((7, 4)).asnumpy()[:, 0].tolist()
    assert mask == [1, 1, 1, 0, 0, 1, 0]
    np.testing.assert_allclose(loc_target[0, :4].asnumpy(), 0, atol=1e-6)


def test_multibox_detection_keeps_the_best_box_per_class():
    """Box 0 wins class 0 and suppresses 1 and 2; box 3 wins class 1."""
    kept = detection.detect(CLS_PROBS, BOXES.expand_dims(0), 0.5)
    assert kept[:, 0].tolist() == [0, 1]
    np.testing.assert_allclose(kept[:, 1], [0.9, 0.9])
    np.testing.assert_allclose(kept[:, 2:], BOXES.asnumpy()[[0, 3]], atol=1e-6)


def test_nms_by_hand():
    """Scores 0.9, 0.8, 0.7, 0.9: boxes 0 and 3 survive IoU 0.5."""
    assert detection.nms(BOXES, CLS_PROBS[1:].max(axis=0), 0.5) == [0, 3]
    # IoU(0, 2) is 0.545: a threshold of 0.6 keeps box 2 but not box 1
    assert detection.nms(BOXES, CLS_PROBS[1:].max(axis=0), 0.6) == [0, 3, 2]
    assert detection.nms(BOXES, CLS_PROBS[1], 1.0) == [0, 1, 2, 3]


def test_nms_matches_box_nms_on_random_boxes():
    """Our greedy NMS keeps the boxes nd.contrib.box_nms keeps."""
    corners = nd.random.uniform(shape=(30, 2, 2))
    boxes = nd.concat(corners.min(axis=1), corners.max(axis=1), dim=1)
    scores = nd.random.uniform(shape=(30,))
    data = nd.concat(scores.expand_dims(1), boxes, dim=1)
    theirs = nd.contrib.box_nms(
        data, overlap_thresh=0.3, coord_start=1, score_index=0, id_index=-1
    )
    kept = theirs.asnumpy()
    kept = kept[kept[:, 0] >= 0]
    ours = detection.nms(boxes, scores, 0.3)
    np.testing.assert_allclose(kept[:, 1:], boxes.asnumpy()[ours], atol=1e-6)


def test_scores_from_truth():
    """Each class row is an IoU; background is 1 - the best of them."""
    anchors = detection.make_anchors(detection.FEATURE_SIZE)
    _, labels = detection.fashion_scene()
    probs = detection.scores_from_truth(anchors, labels).asnumpy()
    assert probs.shape == (11, anchors.shape[1])
    np.testing.assert_allclose(probs[0] + probs[1:].max(axis=0), 1)
    present = sorted(int(c) + 1 for c in labels[:, 0])
    assert sorted(np.flatnonzero(probs[1:].max(axis=1)) + 1) == present


def test_nms_thins_the_scene_detections():
    """Lower NMS thresholds keep fewer boxes, at least one per object."""
    kept = detection.show_detection()
    assert kept["no_NMS"] > kept["NMS_05"] > kept["NMS_03"] >= 3


def test_anchor_count_exercise():
    """12 * 12 places times 3 + 3 - 1 anchors."""
    assert detection.show_anchor_count() == {"count": 12 * 12 * 5}


def test_iou_exercise():
    """Overlap 0.08 over union 0.24: a third."""
    assert detection.show_iou_exercise()["iou"] == pytest.approx(1 / 3)


def test_force_suppress_crosses_classes():
    """Per class, both boxes stay; with force_suppress, only the best."""
    assert detection.show_force_suppress() == {"off": 2, "on": 1}


def test_offsets_are_multibox_targets():
    """For every positive anchor of a scene, offsets() = MultiBoxTarget's."""
    _, labels = detection.fashion_scene(seed=1)
    anchors = detection.make_anchors(detection.FEATURE_SIZE)
    loc_target, loc_mask, cls_target = detection.label_anchors(anchors, labels)
    overlaps = detection.iou(anchors[0], nd.array(labels[:, 1:])).asnumpy()
    positive = np.flatnonzero(cls_target[0].asnumpy() > 0)
    assert len(positive) >= len(labels)
    targets = loc_target[0].reshape((-1, 4)).asnumpy()[positive]
    assert loc_mask[0].reshape((-1, 4)).asnumpy()[positive].min() == 1
    # each positive anchor is matched to the object it overlaps most
    boxes = nd.array(labels[overlaps[positive].argmax(axis=1), 1:])
    ours = detection.offsets(anchors[0].take(nd.array(positive)), boxes)
    np.testing.assert_allclose(ours.asnumpy(), targets, rtol=1e-4, atol=1e-4)


def test_corner_to_center():
    """[0, 0.2, 0.4, 1] has center (0.2, 0.6), width 0.4, height 0.8."""
    center = detection.corner_to_center(nd.array([[0, 0.2, 0.4, 1]]))
    np.testing.assert_allclose(center.asnumpy(), [[0.2, 0.6, 0.4, 0.8]])
