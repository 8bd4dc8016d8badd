"""Rewrite thin-output convolutions of an ONNX graph into two cheaper ones that compute the same thing.

ONNX Runtime's CPU convolutions work on blocks of 8 or 16 output channels, so a k x k convolution with 3 outputs
(a generator's last layer: 7x7, 32 -> 3) costs about as much as one with 16. The same sums, taken in two steps, fill
those blocks: a 1 x k convolution gives, for every output channel c and kernel row dy, the row's partial sum
(C_out * k channels), and a k x 1 convolution grouped by c (one weight 1 per row, the rest 0) adds the k rows up,
each shifted by its dy. Only the order of the float additions changes (differences of about 1e-6 on a
[-1, 1] output); the layer runs about 3x faster (lab/2026-12-07-lean-graph.md).

Applied at export (assetgan.train.onnx_lean); needs `onnx` and numpy, not torch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

THIN = 4  # convolutions with at most this many output channels are rewritten
MIN_KERNEL = 3  # ... and kernels of at least this many rows
ROWS, ADDER = ".rows", ".adder"  # suffixes of the two new weights, after the original weight's name


def _attrs(node: Any) -> dict[str, Any]:
    from onnx import helper

    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def _plan(node: Any, inits: dict[str, Any]) -> np.ndarray | None:
    """The fp32 weight [C_out, C_in, k, k] of a convolution this pass rewrites, or None."""
    from onnx import TensorProto, numpy_helper

    if node.op_type != "Conv" or len(node.input) < 2 or node.input[1] not in inits:
        return None
    init = inits[node.input[1]]
    if init.data_type != TensorProto.FLOAT or len(init.dims) != 4:
        return None
    a = _attrs(node)
    plain = a.get("group", 1) == 1 and a.get("auto_pad", b"NOTSET") in (b"NOTSET", "NOTSET")
    if not plain or any(v != 1 for v in [*a.get("strides", [1, 1]), *a.get("dilations", [1, 1])]):
        return None
    cout, _, kh, kw = init.dims
    if cout > THIN or kh < MIN_KERNEL or kw < 2:
        return None
    return numpy_helper.to_array(init)


def split_thin_convs(proto: Any) -> int:
    """Rewrite, in place, every convolution of `proto` (an onnx ModelProto) with at most THIN outputs and a kernel
    of at least MIN_KERNEL rows; returns how many were rewritten. Names stay: the second convolution keeps the
    original node's name and output, the first is named `<name>_rows`."""
    from onnx import helper, numpy_helper

    graph = proto.graph
    inits = {i.name: i for i in graph.initializer}
    nodes, done = [], 0
    for node in graph.node:
        w = _plan(node, inits)
        if w is None:
            nodes.append(node)
            continue
        cout, cin, kh, kw = w.shape
        top, left, bottom, right = _attrs(node).get("pads", [0, 0, 0, 0])
        rows = w.transpose(0, 2, 1, 3).reshape(cout * kh, cin, 1, kw)  # channel c * kh + dy: row dy of kernel c
        adder = np.zeros((cout, kh, kh, 1), np.float32)  # groups of kh channels, one per output
        adder[:, np.arange(kh), np.arange(kh), 0] = 1.0
        base = node.name or node.output[0]
        rows_name, adder_name, mid = node.input[1] + ROWS, node.input[1] + ADDER, f"{base}_rows_output"
        graph.initializer.extend([numpy_helper.from_array(np.ascontiguousarray(rows), rows_name),
                                  numpy_helper.from_array(adder, adder_name)])
        nodes.append(helper.make_node("Conv", [node.input[0], rows_name], [mid], name=f"{base}_rows",
                                      kernel_shape=[1, kw], pads=[0, left, 0, right]))
        nodes.append(helper.make_node("Conv", [mid, adder_name, *node.input[2:]], list(node.output), name=node.name,
                                      kernel_shape=[kh, 1], pads=[top, 0, bottom, 0], group=cout))
        done += 1
    if done:
        keep = {i for n in nodes for i in n.input} | {x.name for x in graph.input}
        old = [i for i in graph.initializer if i.name in keep]
        del graph.node[:]
        graph.node.extend(nodes)
        del graph.initializer[:]
        graph.initializer.extend(old)
    return done


def named_weights(proto: Any) -> dict[str, np.ndarray]:
    """Every initializer of `proto` by name, with each rewritten convolution's weight back under its original
    name (the inverse of the rewrite), so code that reads a model's weights by name sees the exported layers."""
    from onnx import numpy_helper

    out = {i.name: numpy_helper.to_array(i) for i in proto.graph.initializer}
    for name in [n for n in out if n.endswith(ROWS)]:
        adder = out.get(name[: -len(ROWS)] + ADDER)
        rows = out[name]  # [C_out * k, C_in, 1, k_w]
        if adder is None or rows.ndim != 4 or adder.ndim != 4:
            continue
        cout, kh = adder.shape[0], adder.shape[1]
        out[name[: -len(ROWS)]] = rows.reshape(cout, kh, rows.shape[1], rows.shape[3]).transpose(0, 2, 1, 3).copy()
    return out
