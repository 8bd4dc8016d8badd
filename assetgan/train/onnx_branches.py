"""A lean copy of a CycleGAN translator's default direction for the calls a tiled stylize makes most.

ONNX Runtime runs every node of a graph on every call, whatever outputs are asked for. The exported translator
computes, in each normalisation layer, the image's own statistics (for its `measured` output) and then blends them
with the fed ones by `weight`; a tile run with fed statistics (weight 1) discards the first. So the default
direction (a2b) gets one more entry over the same weights:

    a2b.fixed.image + a2b.stats -> a2b.fixed.output

the image with the fed statistics only: a copy of the nodes `a2b.output` needs (weights and constants shared, not
copied), with each blend replaced by its value at weight 1, which is exactly the fed value, so the pixels are the
same. Unfed, its image input keeps a small default, so it costs nothing in other calls. Only a2b, and no
statistics-only entry: each copy makes every session slower to open (lab/2026-12-07-lean-graph.md). Files without
it run as before (the runtime looks for the output).
"""

from __future__ import annotations

from typing import Any

from ..core.errors import AssetganError

DIRECTION = "a2b"  # the direction the CLI and the app run by default


def fixed_names(direction: str) -> tuple[str, str]:
    """(image input, output) of the fixed-statistics entry of one direction."""
    return f"{direction}.fixed.image", f"{direction}.fixed.output"


def _producers(graph: Any) -> dict[str, Any]:
    return {o: n for n in graph.node for o in n.output}


def _blend_ends(graph: Any, weight_input: str) -> dict[str, str]:
    """Each weight blend (torch.lerp, exported as Where(w < 0.5, start + w * (end - start), end - (end - start) *
    (1 - w))) -> the tensor it equals at weight 1: `end`."""
    prod = _producers(graph)
    out = {}
    for n in graph.node:
        cond = prod.get(n.input[0]) if n.op_type == "Where" else None
        if cond is None or cond.op_type != "Less" or cond.input[0] != weight_input:
            continue
        far = prod.get(n.input[2])
        if far is not None and far.op_type == "Sub":
            out[n.output[0]] = far.input[0]  # end - (...) * (1 - w) at w = 1: end
    return out


def _static(graph: Any) -> set[str]:
    """Tensors that depend on no graph input (weights, their dequantisation, constants): shared, never copied."""
    inputs = {v.name for v in graph.input}
    known = {i.name for i in graph.initializer if i.name not in inputs}
    for n in graph.node:  # graph order is topological
        if all(not x or x in known for x in n.input):
            known.update(n.output)
    return known


def _cone(graph: Any, target: str, subst: dict[str, str]) -> list[int]:
    """Indices (in graph order) of the nodes `target` depends on, once every blend is replaced by its value."""
    index = {o: i for i, n in enumerate(graph.node) for o in n.output}
    seen: set[int] = set()
    stack = [target]
    while stack:
        t = stack.pop()
        t = subst.get(t, t)
        i = index.get(t)
        if i is None or i in seen:
            continue
        seen.add(i)
        stack.extend(x for x in graph.node[i].input if x)
    return sorted(seen)


def add_fixed_entry(proto: Any, direction: str = DIRECTION) -> bool:
    """Add the fixed-statistics entry of `direction` to `proto` (an onnx ModelProto holding `<d>.image`,
    `<d>.weight` and `<d>.output`), in place; False when the graph has no such direction or has the entry already."""
    import copy

    graph = proto.graph
    branch = "fixed"
    image, weight_in, target = f"{direction}.image", f"{direction}.weight", f"{direction}.output"
    new_image, new_out = fixed_names(direction)
    names = {v.name for v in graph.input} | {v.name for v in graph.output}
    if new_out in names or not ({image, weight_in} <= names and target in names):
        return False
    subst = _blend_ends(graph, weight_in)
    static = _static(graph)
    cone = [i for i in _cone(graph, target, subst) if not set(graph.node[i].output) <= static]
    rename = {image: new_image}
    for i in cone:
        for o in graph.node[i].output:
            rename[o] = f"{o}@{branch}"
    rename[target] = new_out

    def mapped(t: str) -> str:
        t = subst.get(t, t)
        return rename.get(t, t)

    new_nodes = []
    for i in cone:
        n = copy.deepcopy(graph.node[i])
        n.name = f"{n.name}@{branch}" if n.name else ""
        n.input[:] = [mapped(x) if x else x for x in n.input]
        n.output[:] = [rename[o] for o in n.output]
        if weight_in in n.input:
            raise AssetganError(f"{direction}: a node still reads {weight_in} after the blends were replaced "
                                f"({graph.node[i].name}); its fixed-statistics entry cannot be built")
        new_nodes.append(n)
    graph.node.extend(new_nodes)
    def _own_dims(v: Any) -> Any:  # symbolic sizes of its own: ONNX Runtime takes equal names for equal sizes
        for dim in v.type.tensor_type.shape.dim:
            if dim.dim_param:
                dim.dim_param = f"{dim.dim_param}_{branch}"
        return v

    for vi in list(graph.input):
        if vi.name == image:
            v = _own_dims(copy.deepcopy(vi))
            v.name = new_image
            graph.input.append(v)
    for init in list(graph.initializer):
        if init.name == image:  # the image's default value, so callers of other entries need not feed this one
            v = copy.deepcopy(init)
            v.name = new_image
            graph.initializer.append(v)
    for vo in list(graph.output):
        if vo.name == target:
            v = _own_dims(copy.deepcopy(vo))
            v.name = new_out
            graph.output.append(v)
    return True


def drop_fixed_entries(proto: Any) -> None:
    """Remove the fixed-statistics entries again (e.g. before quantisation calibrates the main graph), in place."""
    extra = {n for d in ("a2b", "b2a") for n in fixed_names(d)}
    graph = proto.graph
    for field in (graph.input, graph.output, graph.initializer):
        keep = [v for v in field if v.name not in extra]
        del field[:]
        field.extend(keep)
    keep = [n for n in graph.node if not any(o.endswith("@fixed") or o in extra for o in n.output)]
    del graph.node[:]
    graph.node.extend(keep)
