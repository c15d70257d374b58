"""Object detection, first look: anchors, IoU, labelling anchors, NMS."""

import matplotlib.pyplot as plt
import numpy as np
from mxnet import nd

from snippets.fashion_mnist import TEXT_LABELS, read_fashion_mnist

CELL = 32  # the canvas is a 3 x 3 grid of cells, one item per cell at most
SIZES = (0.25, 0.15)  # anchor sizes, as fractions of the image
RATIOS = (1, 2, 0.5)  # aspect ratios: with 2 sizes, 2 + 3 - 1 = 4 anchors
FEATURE_SIZE = 12  # anchors centered on a 12 x 12 grid: one every 8 pixels


def tight_box(pixels):
    """[xmin, ymin, xmax, ymax] around the nonzero pixels of a 2-D array."""
    rows = np.flatnonzero(pixels.any(axis=1))
    cols = np.flatnonzero(pixels.any(axis=0))
    return [cols[0], rows[0], cols[-1] + 1, rows[-1] + 1]


def make_scene(images, labels, rng):
    """Paste 28 x 28 images into random cells of a 96 x 96 canvas.

    Returns the canvas and one row [class, xmin, ymin, xmax, ymax] per
    image, the corners as fractions of the canvas size (MXNet's format).
    """
    size = 3 * CELL
    canvas = np.zeros((size, size), dtype=np.float32)
    cells = rng.choice(9, len(images), replace=False)
    rows = []
    for cell, pixels, label in zip(cells, images, labels, strict=True):
        top = cell // 3 * CELL + rng.integers(5)
        left = cell % 3 * CELL + rng.integers(5)
        canvas[top : top + 28, left : left + 28] = pixels
        xmin, ymin, xmax, ymax = tight_box(pixels)
        rows.append([label, left + xmin, top + ymin, left + xmax, top + ymax])
    rows = np.array(rows, dtype=np.float32)
    rows[:, 1:] /= size
    return canvas, rows


def fashion_scene(num_objects=3, seed=0):
    """Test images of num_objects different classes; the seed fixes them."""
    rng = np.random.default_rng(seed)
    X, y = read_fashion_mnist(train=False)
    labels = rng.choice(10, num_objects, replace=False)
    picks = [rng.choice(np.flatnonzero(y.asnumpy() == c)) for c in labels]
    images = X.asnumpy()[picks, :, :, 0] / 255
    return make_scene(images, labels, rng)


def box_area(boxes):
    """Areas of boxes (n, 4) given as corners [xmin, ymin, xmax, ymax]."""
    return (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])


def iou(boxes_a, boxes_b):
    """Intersection over union of every box in boxes_a with every in b."""
    a, b = boxes_a.expand_dims(1), boxes_b.expand_dims(0)  # (n,1,4), (1,m,4)
    lower = nd.broadcast_maximum(a[:, :, :2], b[:, :, :2])
    upper = nd.broadcast_minimum(a[:, :, 2:], b[:, :, 2:])
    inter = nd.relu(upper - lower).prod(axis=2)
    union = box_area(boxes_a).expand_dims(1) + box_area(boxes_b) - inter
    return inter / union


def nms(boxes, scores, iou_threshold):
    """Indices kept by greedy non-maximum suppression, best score first."""
    overlaps = iou(boxes, boxes).asnumpy()
    order = list(np.argsort(-scores.asnumpy(), kind="stable"))
    keep = []
    while order:
        best = order.pop(0)
        keep.append(int(best))
        order = [i for i in order if overlaps[best, i] <= iou_threshold]
    return keep


def draw_boxes(ax, boxes, size, color, labels=None):
    """Draw boxes given as fractions of a size x size image on ax."""
    for i, (xmin, ymin, xmax, ymax) in enumerate(np.asarray(boxes) * size):
        corner, width, height = (xmin, ymin), xmax - xmin, ymax - ymin
        ax.add_patch(
            plt.Rectangle(corner, width, height, fill=False, edgecolor=color)
        )
        if labels is not None:
            style = {"facecolor": color, "pad": 1, "linewidth": 0}
            ax.text(*corner, labels[i], color="white", fontsize=7, bbox=style)


def show_canvas(canvas, *titles):
    """A new figure showing the canvas once per title; returns the axes."""
    fig, axes = plt.subplots(1, len(titles), figsize=(3.4 * len(titles), 3.6))
    axes = np.atleast_1d(axes)
    for ax, title in zip(axes, titles, strict=True):
        ax.imshow(canvas, cmap="gray")
        ax.set(xticks=[], yticks=[], title=title)
    fig.tight_layout()
    return axes


def class_color(c):
    """The color of class c, the same in every figure of the page."""
    return f"C{int(c)}"


def class_names(labels):
    """The Fashion-MNIST names of the classes in column 0 of labels."""
    return [TEXT_LABELS[int(c)] for c in labels[:, 0]]


def anchor_shapes():
    """(size, ratio) of the anchors at one place, in MultiBoxPrior's order."""
    return [(s, RATIOS[0]) for s in SIZES] + [
        (SIZES[0], r) for r in RATIOS[1:]
    ]


def make_anchors(feature_size):
    """MultiBoxPrior's anchors, centered on a feature_size^2 grid."""
    feature_map = nd.zeros((1, 1, feature_size, feature_size))
    return nd.contrib.MultiBoxPrior(feature_map, sizes=SIZES, ratios=RATIOS)


def show_scene():
    """A synthetic scene: three Fashion-MNIST items and their boxes."""
    canvas, labels = fashion_scene()
    (ax,) = show_canvas(canvas, "ground truth")
    for row, name in zip(labels, class_names(labels), strict=True):
        draw_boxes(ax, [row[1:]], len(canvas), class_color(row[0]), [name])
    print("canvas:", canvas.shape)
    print("labels [class, xmin, ymin, xmax, ymax]:")
    print(labels.round(3))
    return {"num_objects": len(labels), "size": len(canvas)}


def place_of(box, per_place):
    """Index of the first anchor centered nearest to a box's center."""
    x, y = (box[:2] + box[2:]) / 2
    row, col = int(y * FEATURE_SIZE), int(x * FEATURE_SIZE)
    return (row * FEATURE_SIZE + col) * per_place


def show_anchors():
    """All anchor centers; the anchors centered nearest to one object."""
    canvas, labels = fashion_scene()
    anchors = make_anchors(FEATURE_SIZE)
    per_place = len(anchor_shapes())
    print(
        "anchors:", anchors.shape, "=", FEATURE_SIZE**2, "places x", per_place
    )
    first = place_of(labels[0, 1:], per_place)
    mine = anchors[0, first : first + per_place].asnumpy()
    print(
        f"anchors {first} to {first + per_place - 1}, near the "
        f"{class_names(labels)[0]}:"
    )
    print(mine.round(3))
    (ax,) = show_canvas(canvas, "anchor centers, one place's anchors")
    centers = (anchors[0, ::per_place, :2] + anchors[0, ::per_place, 2:]) / 2
    ax.scatter(*(centers.asnumpy() * len(canvas)).T, s=2, color="C1")
    for k, (box, (size, ratio)) in enumerate(
        zip(mine, anchor_shapes(), strict=True)
    ):
        draw_boxes(ax, [box], len(canvas), f"C{k + 2}")
        ax.patches[-1].set_label(f"size {size}, ratio {ratio}")
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, 0), ncol=2)
    ax.figure.tight_layout()
    return {
        "num_anchors": anchors.shape[1],
        "per_place": per_place,
        "feature_size": FEATURE_SIZE,
    }


def show_iou():
    """IoU of box A with three others: by hand, ours, nd.contrib.box_iou."""
    A = nd.array([[0, 0, 2, 2]])
    others = nd.array([[1, 1, 3, 3], [0, 0, 1, 2], [2, 2, 3, 3]])
    by_hand = [1 / 7, 2 / 4, 0]  # intersection / union, drawn on paper
    ours = iou(A, others)[0]
    theirs = nd.contrib.box_iou(A, others, format="corner")[0]
    print("by hand:    ", np.round(by_hand, 4))
    print("iou:        ", ours.asnumpy().round(4))
    print("box_iou:    ", theirs.asnumpy().round(4))
    return {"iou_ab": ours[0].asscalar().item()}


def scores_from_truth(anchors, labels, num_classes=10):
    """Fake class scores made from the known boxes: each anchor's IoU."""
    overlaps = iou(nd.array(labels[:, 1:]), anchors[0]).asnumpy()
    probs = np.zeros((num_classes + 1, anchors.shape[1]), dtype=np.float32)
    for c, row in zip(labels[:, 0].astype(int), overlaps, strict=True):
        probs[c + 1] = np.maximum(probs[c + 1], row)
    probs[0] = 1 - probs[1:].max(axis=0)  # background
    return nd.array(probs)


def label_anchors(anchors, labels, num_classes=10):
    """MultiBoxTarget: offsets, their mask and the class of every anchor."""
    cls_preds = nd.zeros((1, num_classes + 1, anchors.shape[1]))
    return nd.contrib.MultiBoxTarget(
        anchors, nd.array(labels).expand_dims(0), cls_preds
    )


def corner_to_center(boxes):
    """Rows [xmin, ymin, xmax, ymax] to rows [x, y, width, height]."""
    lower, upper = boxes[:, :2], boxes[:, 2:]
    return nd.concat((lower + upper) / 2, upper - lower, dim=1)


def offsets(anchors, boxes, variances=(0.1, 0.1, 0.2, 0.2)):
    """The regression targets that take each anchor to its box."""
    a, b = corner_to_center(anchors), corner_to_center(boxes)
    centers = (b[:, :2] - a[:, :2]) / a[:, 2:]
    sizes = nd.log(b[:, 2:] / a[:, 2:])
    return nd.concat(centers, sizes, dim=1) / nd.array(variances)


def show_anchor_labels():
    """Which anchors MultiBoxTarget makes positive, and their offsets."""
    canvas, labels = fashion_scene()
    anchors = make_anchors(FEATURE_SIZE)
    best = iou(nd.array(labels[:, 1:]), anchors[0]).max(axis=1)
    loc_target, _, cls_target = label_anchors(anchors, labels)
    (ax,) = show_canvas(canvas, "positive anchors")
    positives = {}
    for k, (name, c) in enumerate(
        zip(class_names(labels), labels[:, 0], strict=True)
    ):
        positives[name] = np.flatnonzero(cls_target[0].asnumpy() == c + 1)
        mine = anchors[0].asnumpy()[positives[name]]
        draw_boxes(ax, mine, len(canvas), class_color(c))
        print(
            f"{name:<10} best IoU {best[k].asscalar():.2f}, "
            f"positive anchors {positives[name].tolist()}"
        )
    print("background anchors:", int((cls_target == 0).sum().asscalar()))
    i = int(positives[class_names(labels)[0]][0])
    theirs = loc_target[0, 4 * i : 4 * i + 4].asnumpy()
    ours = offsets(anchors[0, i : i + 1], nd.array(labels[:1, 1:]))
    print(f"offsets of anchor {i}: MultiBoxTarget {theirs.round(3)}")
    print(f"{'':<19}offsets() {ours[0].asnumpy().round(3)}")
    return {"positives": sum(len(p) for p in positives.values())}


def show_shared_best_anchor():
    """Two objects with the same best anchor: MultiBoxTarget's matching."""
    labels = np.array(
        [[0, 0.1, 0.1, 0.5, 0.5], [1, 0.15, 0.15, 0.55, 0.55]], "float32"
    )
    shared = [0.12, 0.12, 0.52, 0.52]
    others = {"touching": [0.5, 0.5, 0.9, 0.9], "apart": [0.7, 0.7, 1, 1]}
    result = {}
    for case, other in others.items():
        anchors = nd.array([[shared, other]])
        overlaps = iou(nd.array(labels[:, 1:]), anchors[0])
        classes = label_anchors(anchors, labels, num_classes=2)[2][0]
        result[case] = str(classes.asnumpy().astype(int).tolist())
        result[f"{case}_iou"] = overlaps[1, 1].asscalar().item()
        print(f"second anchor {case}: IoU (objects x anchors)")
        print(overlaps.asnumpy().round(4))
        print("  class of each anchor:", result[case])
    result["shared_iou"] = overlaps[1, 0].asscalar().item()
    return result


def detect(cls_probs, anchors, nms_threshold, threshold=0.01):
    """MultiBoxDetection, zero offsets: kept rows [class, score, box]."""
    loc_preds = nd.zeros((1, anchors.size))
    out = nd.contrib.MultiBoxDetection(
        cls_probs.expand_dims(0),
        loc_preds,
        anchors,
        nms_threshold=nms_threshold,
        threshold=threshold,
    )[0].asnumpy()
    return out[out[:, 0] >= 0]


def show_nms():
    """Four boxes, two classes: what MultiBoxDetection and nms() keep."""
    anchors = nd.array(
        [
            [0.1, 0.08, 0.52, 0.92],
            [0.08, 0.2, 0.56, 0.95],
            [0.15, 0.3, 0.62, 0.91],
            [0.55, 0.2, 0.9, 0.88],
        ]
    )
    cls_probs = nd.array(
        [
            [0, 0, 0, 0],  # background
            [0.9, 0.8, 0.7, 0.1],  # class 0
            [0.1, 0.2, 0.3, 0.9],  # class 1
        ]
    )
    kept = detect(cls_probs, anchors.expand_dims(0), nms_threshold=0.5)
    print("MultiBoxDetection [class, score, xmin, ymin, xmax, ymax]:")
    print(kept.round(2))
    ours = nms(anchors, cls_probs[1:].max(axis=0), iou_threshold=0.5)
    print("nms() on each box's best score keeps boxes", ours)
    return {"kept": len(kept)}


def show_detection():
    """Candidates scoring over 0.3 on a scene, without and with NMS."""
    canvas, labels = fashion_scene()
    anchors = make_anchors(FEATURE_SIZE)
    cls_probs = scores_from_truth(anchors, labels)
    score_threshold = 0.3
    nms_thresholds = {"no NMS": 1.0, "NMS 0.5": 0.5, "NMS 0.3": 0.3}
    axes = show_canvas(canvas, *nms_thresholds)
    kept = {}
    for ax, (name, nms_threshold) in zip(
        axes, nms_thresholds.items(), strict=True
    ):
        rows = detect(cls_probs, anchors, nms_threshold, score_threshold)
        for c in np.unique(rows[:, 0]):
            mine = rows[rows[:, 0] == c]
            draw_boxes(ax, mine[:, 2:], len(canvas), class_color(c))
        ax.set_title(f"{name}: {len(rows)} boxes")
        kept[name.replace(" ", "_").replace(".", "")] = len(rows)
        print(f"{name:<8} keeps {len(rows):>2} boxes")
    axes[0].figure.tight_layout()
    return {**kept, "score_threshold": score_threshold}


def show_anchor_count():
    """How many anchors 3 sizes and 3 ratios make on a 12 x 12 map."""
    sizes, ratios, feature_size = (0.3, 0.2, 0.1), (1, 2, 0.5), 12
    feature_map = nd.zeros((1, 1, feature_size, feature_size))
    anchors = nd.contrib.MultiBoxPrior(feature_map, sizes=sizes, ratios=ratios)
    per_place = len(sizes) + len(ratios) - 1
    print(
        f"{feature_size} x {feature_size} x ({len(sizes)} + "
        f"{len(ratios)} - 1) = {feature_size**2 * per_place}"
    )
    print("MultiBoxPrior:", anchors.shape)
    return {"count": anchors.shape[1]}


def show_iou_exercise():
    """IoU of [0, 0, 0.4, 0.4] and [0.2, 0, 0.6, 0.4], three ways."""
    a, b = nd.array([[0, 0, 0.4, 0.4]]), nd.array([[0.2, 0, 0.6, 0.4]])
    by_hand = (0.2 * 0.4) / (0.16 + 0.16 - 0.2 * 0.4)
    ours = iou(a, b).asnumpy().item()
    theirs = nd.contrib.box_iou(a, b).asnumpy().item()
    print(f"by hand {by_hand:.4f}, iou {ours:.4f}, box_iou {theirs:.4f}")
    return {"iou": ours}


def show_force_suppress():
    """Two overlapping boxes of different classes, force_suppress off/on."""
    anchors = nd.array([[[0.1, 0.1, 0.5, 0.5], [0.12, 0.1, 0.52, 0.5]]])
    cls_probs = nd.array([[[0, 0], [0.9, 0], [0, 0.8]]])  # bg, cat, dog
    loc_preds = nd.zeros((1, 8))
    kept = {}
    for force in (False, True):
        out = nd.contrib.MultiBoxDetection(
            cls_probs, loc_preds, anchors, force_suppress=force
        )[0].asnumpy()
        kept[force] = int((out[:, 0] >= 0).sum())
        print(f"force_suppress={force!s:<5} keeps {kept[force]} box(es)")
    return {"off": kept[False], "on": kept[True]}
