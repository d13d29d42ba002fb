"""Benchmarks behind ``gcnn bench``: ratios against a baseline timed in the same process.

Timings interleave the candidates round by round and report medians, because machines are noisy.
"""

from __future__ import annotations

import functools
import gc
import math
import statistics
import time
from collections.abc import Callable, Mapping

import torch
import torch.nn.functional as F

from grouptheory import FiniteGroup

from ..loading import import_group_module


def median_seconds(
    candidates: Mapping[str, Callable[[], object]], rounds: int = 15, budget: float = 0.05
) -> dict[str, float]:
    """Median seconds per call of each candidate, measured in interleaved rounds."""
    repeats = {}
    for name, run in candidates.items():
        run()
        start = time.perf_counter()
        run()
        repeats[name] = max(1, int(budget / max(time.perf_counter() - start, 1e-6)))
    samples: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(rounds):
        for name, run in candidates.items():
            start = time.perf_counter()
            for _ in range(repeats[name]):
                run()
            samples[name].append((time.perf_counter() - start) / repeats[name])
    return {name: statistics.median(values) for name, values in samples.items()}


def _saved_bytes(step: Callable[[], torch.Tensor]) -> int:
    """Bytes of the memory autograd keeps for backward during one forward (a training step's peak driver): each
    storage once, however many operations save it or views of it."""
    storages: dict[int, int] = {}

    def pack(tensor: torch.Tensor) -> torch.Tensor:
        storage = tensor.untyped_storage()
        storages[storage.data_ptr()] = storage.nbytes()
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
        step().sum().backward()
    return sum(storages.values())


def _tutorial_expansion(weight: torch.Tensor) -> torch.Tensor:
    """The tutorial's approach: rotate the filter bank with grid_sample on every forward pass (C4)."""
    out_channels, in_channels, order, k, _ = weight.shape
    filters = []
    for r in range(order):
        angle = torch.tensor(r * math.pi / 2)
        rotation = torch.stack(
            [
                torch.stack([torch.cos(angle), -torch.sin(angle), torch.tensor(0.0)]),
                torch.stack([torch.sin(angle), torch.cos(angle), torch.tensor(0.0)]),
            ]
        ).to(weight.dtype)
        flat = weight.reshape(out_channels, in_channels * order, k, k)
        grid = F.affine_grid(rotation.expand(out_channels, 2, 3), list(flat.shape), align_corners=True)
        rotated = F.grid_sample(flat, grid, mode="bilinear", align_corners=True)
        filters.append(rotated.view(out_channels, in_channels, order, k, k).roll(r, dims=2))
    return torch.stack(filters, dim=1).reshape(out_channels * order, in_channels * order, k, k)


def _rot90_roll_expansion(weight: torch.Tensor) -> torch.Tensor:
    """A straightforward expansion: rot90 and roll of the group axis for each rotation (C4)."""
    out_channels, in_channels, order, k, _ = weight.shape
    filters = [torch.rot90(weight, r, dims=(-2, -1)).roll(r, dims=2) for r in range(order)]
    return torch.stack(filters, dim=1).reshape(out_channels * order, in_channels * order, k, k)


def _expanded_step(x: torch.Tensor, expand: Callable, layer: torch.nn.Module, bias: torch.Tensor, padding: int) -> None:
    F.conv2d(x, expand(layer.weight), bias, padding=padding).sum().backward()


def bench_layers(
    group: str = "c4",
    fields: int = 8,
    size: int = 28,
    kernel: int = 5,
    batches: tuple[int, ...] = (32, 1),
    rounds: int = 15,
) -> list[dict]:
    """Group convolution of `fields` regular fields against convNd with the expanded weight (the floor)."""
    module = import_group_module(group)
    d = module.DIMENSION
    conv = getattr(F, f"conv{d}d")
    torch.manual_seed(0)
    layer = getattr(module, f"GroupConv{d}d")(fields, fields, kernel, padding=kernel // 2)
    floor_weight = layer.expanded_weight().detach().requires_grad_(True)
    floor_bias = layer._expanded_bias().detach().requires_grad_(True)
    space = (size,) * d
    rows = []
    for batch in batches:
        x = torch.randn(batch, fields, module.ORDER, *space, requires_grad=True)
        flat = x.detach().flatten(1, 2).requires_grad_(True)
        layer.train()

        def floor_step(flat=flat):
            conv(flat, floor_weight, floor_bias, padding=kernel // 2).sum().backward()

        candidates = {
            f"floor: conv{d}d, expanded weight": floor_step,
            f"generated {group}.GroupConv{d}d": lambda x=x: layer(x).sum().backward(),
        }
        if group == "c4":
            for name, expand in (
                ("tutorial: grid_sample per forward", _tutorial_expansion),
                ("rot90 + roll per forward", _rot90_roll_expansion),
            ):
                candidates[name] = functools.partial(_expanded_step, flat, expand, layer, floor_bias, kernel // 2)
        rows += _rows(f"train fwd+bwd, batch {batch}", median_seconds(candidates, rounds=rounds))
    x = torch.randn(1, fields, module.ORDER, *space)
    layer.eval()
    with torch.inference_mode():
        eval_times = median_seconds(
            {
                f"floor: conv{d}d, expanded weight": lambda: conv(
                    x.flatten(1, 2), floor_weight, floor_bias, padding=kernel // 2
                ),
                f"generated {group}.GroupConv{d}d": lambda: layer(x),
            },
            rounds=rounds,
        )
    rows += _rows("eval forward, batch 1", eval_times)
    x = torch.randn(batches[0], fields, module.ORDER, *space, requires_grad=True)
    flat = x.detach().flatten(1, 2).requires_grad_(True)
    floor_bytes = _saved_bytes(lambda: conv(flat, floor_weight, floor_bias, padding=kernel // 2))
    layer.train()
    ours = _saved_bytes(lambda: layer(x))
    rows.append(
        {
            "case": f"memory saved for backward, batch {batches[0]}",
            "candidate": f"generated {group}.GroupConv{d}d",
            "value": f"{ours / 2**20:.2f} MiB",
            "ratio": ours / floor_bytes,
        }
    )
    return rows


def bench_steerable(
    group: str = "c4", size: int = 28, kernel: int = 5, batches: tuple[int, ...] = (32, 1), rounds: int = 15
) -> list[dict]:
    """A steerable convolution between mixed field types (regular, standard and an irrep) against convNd with
    its expanded weight: what expanding the kernel from its basis costs, per training step and in eval."""
    module = import_group_module(group)
    d = module.DIMENSION
    conv = getattr(F, f"conv{d}d")
    field_type = module.FieldType(regular=4, standard=2, **({"irrep_1": 2} if len(module.IRREPS) > 1 else {}))
    torch.manual_seed(0)
    layer = getattr(module, f"SteerableConv{d}d")(field_type, field_type, kernel, padding=kernel // 2)
    weight = layer.expanded_weight().detach().requires_grad_(True)
    bias = layer.expanded_bias().detach().requires_grad_(True)
    floor, ours = f"floor: conv{d}d, expanded weight", f"generated {group}.SteerableConv{d}d ({field_type})"

    def floor_step(x: torch.Tensor) -> torch.Tensor:
        return conv(x, weight, bias, padding=kernel // 2)

    rows = []
    layer.train()
    for batch in batches:
        x = torch.randn(batch, field_type.size, *(size,) * d, requires_grad=True)
        steps = {floor: lambda x=x: floor_step(x).sum().backward(), ours: lambda x=x: layer(x).sum().backward()}
        rows += _rows(f"steerable train fwd+bwd, batch {batch}", median_seconds(steps, rounds=rounds))
    x = torch.randn(1, field_type.size, *(size,) * d)
    layer.eval()
    with torch.inference_mode():
        forward = {floor: lambda: floor_step(x), ours: lambda: layer(x)}
        rows += _rows("steerable eval forward, batch 1", median_seconds(forward, rounds=rounds))
    return rows


FIELD_MEMORY_TYPES = {
    "regular": {"regular": 2},
    "irreps, as many as in the regular fields": {"trivial": 2, "irrep_1": 6, "irrep_2": 6, "irrep_3": 8, "irrep_4": 10},
    "irreps, mostly scalars": {"trivial": 29, "irrep_1": 1, "irrep_2": 1, "irrep_3": 1, "irrep_4": 1},
}
"""I's hidden field types for `bench_field_memory`: two regular fields; the same irreps (each irrep of I is in
the regular representation as often as its degree); and one of each non-trivial irrep with scalars added until
the parameters match (a pair of scalars has 4 kernels at kernel 5, a pair of regular channels 0.25)."""


def bench_field_memory(
    group: str = "i",
    field_types: Mapping[str, Mapping[str, int]] = FIELD_MEMORY_TYPES,
    size: int = 12,
    batch: int = 2,
    layers: int = 4,
) -> list[dict]:
    """Activation memory of `SteerableCNN`s (kernel 5) that differ only in their hidden field type: the bytes
    autograd saves in one training forward that grow with the batch (saved at twice the batch, less saved at
    the batch: the kernels, which do not grow, cancel), against the first type's, with each network's
    parameters."""
    module = import_group_module(group)
    x = torch.randn(2 * batch, 1, *(size,) * module.DIMENSION)
    rows, floor = [], None
    for name, counts in field_types.items():
        torch.manual_seed(0)
        hidden = module.FieldType(**counts)
        net = module.SteerableCNN(1, 10, hidden, num_layers=layers, kernel_size=5).train()
        saved = _saved_bytes(functools.partial(net, x)) - _saved_bytes(functools.partial(net, x[:batch]))
        floor = floor or saved
        parameters = sum(p.numel() for p in net.parameters())
        rows.append(
            {
                "case": f"{group} SteerableCNN, {layers} layers: activations saved, batch {batch}, {size}^3",
                "candidate": f"{name}: {hidden.size} channels, {parameters:,} parameters",
                "value": f"{saved / 2**20:.2f} MiB",
                "ratio": saved / floor,
            }
        )
    return rows


def bench_transposed(
    group: str = "c4", fields: int = 8, size: int = 28, kernel: int = 4, batch: int = 32, rounds: int = 15
) -> list[dict]:
    """Transposed group convolution doubling the size (stride 2) against conv_transpose with the expanded weight."""
    module = import_group_module(group)
    d = module.DIMENSION
    conv_transpose = getattr(F, f"conv_transpose{d}d")
    torch.manual_seed(0)
    layer = getattr(module, f"GroupConvTranspose{d}d")(fields, fields, kernel, stride=2, padding=(kernel - 2) // 2)
    floor_weight = layer.expanded_weight().transpose(0, 1).detach().contiguous().requires_grad_(True)
    floor_bias = layer._expanded_bias().detach().requires_grad_(True)
    space = (size,) * d
    floor_name, ours_name = f"floor: conv_transpose{d}d, expanded weight", f"generated {group}.GroupConvTranspose{d}d"

    def floor(x: torch.Tensor) -> torch.Tensor:
        return conv_transpose(x.flatten(1, 2), floor_weight, floor_bias, 2, layer.padding)

    x = torch.randn(batch, fields, module.ORDER, *space, requires_grad=True)
    layer.train()
    train = median_seconds(
        {floor_name: lambda: floor(x).sum().backward(), ours_name: lambda: layer(x).sum().backward()}, rounds=rounds
    )
    one = torch.randn(1, fields, module.ORDER, *space)
    layer.eval()
    with torch.inference_mode():
        evaluation = median_seconds({floor_name: lambda: floor(one), ours_name: lambda: layer(one)}, rounds=rounds)
    sizes = "x".join(str(size) for _ in space) + "->" + "x".join(str(2 * size) for _ in space)
    return _rows(f"transposed {sizes}, train fwd+bwd, batch {batch}", train) + _rows(
        f"transposed {sizes}, eval forward, batch 1", evaluation
    )


def bench_equivariance(
    groups: tuple[str, ...] = ("c6", "c8", "c12", "c16", "d8", "d16", "i"), samples: int = 20
) -> list[dict]:
    """Off-grid equivariance error (``centre_error``: smooth analytic inputs) of a lifting layer and of lifting,
    ReLU and a group convolution, for pixel filters and continuous ones with and without the edge ring;
    worst element.

    Planar groups follow the protocol of the issue (kernel 7, 4 fields, 33x33 images, 'same' padding).
    Volumes use kernel 5 and 2 fields without padding on the smallest input that reaches the centre,
    which gives the centre exactly what a padded stack on a large volume gives, at a fraction of the cost.
    """
    from ..equivariance import centre_error

    rows = []
    for spec in groups:
        module = import_group_module(spec)
        for candidate, options in FILTER_OPTIONS.items():
            for case, (build, size) in _off_grid_stacks(module, options).items():
                worst = max(centre_error(build, module, samples=samples, size=size).values())
                name = f"{module.GROUP_NAME}, {case}"
                rows.append({"case": name, "candidate": candidate, "value": f"{worst:.4f}", "ratio": None})
    return rows


FILTER_OPTIONS: dict[str, dict[str, object]] = {
    "pixel filters": {"filters": "pixel"},
    "continuous filters": {"filters": "continuous"},
    "continuous, edge_ring=False": {"filters": "continuous", "edge_ring": False},
}


def _off_grid_stacks(module, options: dict[str, object]) -> dict[str, tuple[Callable[[], torch.nn.Module], int]]:
    """The two builders ``bench_equivariance`` measures, each with the input size it is measured on."""
    if module.DIMENSION == 2:
        lifting, group_conv, kernel, fields, padding = module.LiftingConv2d, module.GroupConv2d, 7, 4, 3
    else:
        lifting, group_conv, kernel, fields, padding = module.LiftingConv3d, module.GroupConv3d, 5, 2, 0
    lift = functools.partial(lifting, 1, fields, kernel, padding=padding, **options)
    conv = functools.partial(group_conv, fields, fields, kernel, padding=padding, **options)

    def stack() -> torch.nn.Module:
        return torch.nn.Sequential(lift(), torch.nn.ReLU(), conv())

    def size(reach: int) -> int:
        return 33 if module.DIMENSION == 2 else 2 * reach + 1

    return {"lifting": (lift, size(kernel // 2)), "lifting + ReLU + group conv": (stack, size(kernel - 1))}


def bench_generation(specs: tuple[str, ...] = ("o", "oh")) -> list[dict]:
    """Seconds to generate each module from its spec into a fresh folder and import it."""
    import tempfile
    from pathlib import Path

    rows = []
    for spec in specs:
        start = time.perf_counter()
        with tempfile.TemporaryDirectory() as folder:
            import_group_module(spec, folder=Path(folder))
        rows.append(
            {
                "case": "generate and import",
                "candidate": f"{spec}.py",
                "value": f"{time.perf_counter() - start:.2f} s",
                "ratio": None,
            }
        )
    return rows


def _rows(case: str, times: dict[str, float]) -> list[dict]:
    floor = next(iter(times.values()))
    return [
        {"case": case, "candidate": name, "value": f"{t * 1e3:.3f} ms", "ratio": t / floor} for name, t in times.items()
    ]


MNIST_NETWORKS: dict[str, tuple[str, dict[str, object]]] = {
    "c8 GroupEquivariantCNN, 18 regular fields": ("c8", {"hidden_channels": 18}),
    "c16 FourierCNN, 18 functions of irreps 0 to 3": ("c16", {"hidden_channels": 18, "fourier_irreps": (0, 1, 2, 3)}),
    "d8 then c8 RestrictedCNN, 9 then 18 regular fields": (
        "d8",
        {"hidden_channels": 9, "restrict_to": "c8", "restrict_after": 2},
    ),
}
"""The networks of the README's MNIST table that compete on speed: ``gcnn train --group G`` with these options
beside the protocol's (five layers of kernel 5, a 2x2 max pool after the second and the fourth); the first is
the baseline."""


def bench_networks(
    networks: Mapping[str, tuple[str, Mapping[str, object]]] = MNIST_NETWORKS,
    batch: int = 64,
    size: int = 28,
    rounds: int = 10,
    **protocol: object,
) -> list[dict]:
    """Training steps (forward, backward, AdamW) of whole networks as ``gcnn train`` builds them, on a batch of
    MNIST-sized images, interleaved: what an epoch costs, against the first network's."""
    from .training import TrainConfig, build_network

    protocol = {"num_layers": 5, "downsample_every": 2, **protocol}
    steps = {}
    torch.manual_seed(0)
    x, labels = torch.randn(batch, 1, size, size), torch.randint(0, 10, (batch,))
    for name, (group, options) in networks.items():
        model = build_network(import_group_module(group), TrainConfig(**{**protocol, **options}))  # type: ignore[arg-type]
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)

        def step(model: torch.nn.Module = model, optimizer: torch.optim.Optimizer = optimizer) -> None:
            optimizer.zero_grad()
            F.cross_entropy(model(x), labels).backward()
            optimizer.step()

        steps[name] = step
    return _rows(f"training step, batch {batch}, {size}x{size}", median_seconds(steps, rounds=rounds))


def bench_build(group: str = "c4", layers: int = 6) -> list[dict]:
    """Seconds to build a network of `layers` convolutions, the first time and again."""
    module = import_group_module(group)
    rows = []
    for attempt in ("first build", "next build"):
        gc.collect()
        start = time.perf_counter()
        module.GroupEquivariantCNN(1, 10, hidden_channels=8, num_layers=layers, kernel_size=5)
        seconds = time.perf_counter() - start
        rows.append(
            {
                "case": f"build {layers}-layer {group} network",
                "candidate": attempt,
                "value": f"{seconds * 1e3:.1f} ms",
                "ratio": None,
            }
        )
    return rows


def bench_groups() -> list[dict]:
    """Seconds from a declaration to a verified Cayley table."""
    from grouptheory import dihedral, from_matrices, from_presentation, from_spec_dict

    c4_spec = {"name": "C4", "generators": {"r": [[0, -1], [1, 0]]}}
    angle = "2*pi/1000"
    rotation = [[f"cos({angle})", f"-sin({angle})"], [f"sin({angle})", f"cos({angle})"]]
    cases = {
        "C4 from its spec": lambda: from_spec_dict(c4_spec),
        "dihedral(500), order 1000": lambda: dihedral(500),
        "C1000 from one exact rotation matrix": lambda: from_matrices({"r": rotation}),
        "presentation < r, s | r^500, s^2, (s r)^2 >": lambda: from_presentation("< r, s | r^500, s^2, (s r)^2 >"),
    }
    rows = []
    for name, build in cases.items():
        start = time.perf_counter()
        build().verify()
        seconds = time.perf_counter() - start
        rows.append(
            {
                "case": "declaration to verified Cayley table",
                "candidate": name,
                "value": f"{seconds:.3f} s",
                "ratio": None,
            }
        )
    return rows


def _gl2_permutations(prime: int, generators: dict[str, list[list[int]]]) -> dict[str, list[int]]:
    """2x2 matrices over GF(prime) as permutations of the nonzero vectors."""
    vectors = [(x, y) for x in range(prime) for y in range(prime) if (x, y) != (0, 0)]
    return {
        name: [vectors.index(((a * x + b * y) % prime, (c * x + d * y) % prime)) for x, y in vectors]
        for name, ((a, b), (c, d)) in generators.items()
    }


def representation_cases() -> dict[str, Callable[[], FiniteGroup]]:
    """Groups for `bench_representations`: the catalog's and the classic small non-solvable ones."""
    from grouptheory import dihedral, from_permutations, from_presentation, load

    return {
        **{f"{name} (catalog)": functools.partial(load, name) for name in ("c8", "d16", "o", "oh", "i")},
        "S5": lambda: from_permutations({"a": "(0 1 2 3 4)", "b": "(0 1)"}),
        "PSL(2,7)": lambda: from_permutations({"a": "(0 1 2 3 4 5 6)", "b": "(1 2)(3 6)"}),
        "SL(2,3)": lambda: from_presentation("< s, t | s^3 = t^3, s^3 = (s t)^2 >"),
        "SL(2,5)": lambda: from_presentation("< s, t | s^3 = t^5, s^3 = (s t)^2 >"),
        "GL(2,3)": lambda: from_permutations(_gl2_permutations(3, {"a": [[1, 1], [0, 1]], "b": [[0, 1], [1, 0]]})),
        "GL(2,5), order 480": lambda: from_permutations(
            _gl2_permutations(5, {"a": [[2, 0], [0, 1]], "b": [[4, 1], [4, 0]]})
        ),
        "D500, order 1000": lambda: dihedral(500),
        "D499, order 998": lambda: dihedral(499),
        "C1000": lambda: from_permutations({"a": [*range(1, 1000), 0]}),
        "D4 x C125, order 1000": lambda: from_presentation(
            "< r, s, c | r^4, s^2, (s r)^2, c^125, r c = c r, s c = c s >"
        ),
    }


def bench_representations() -> list[dict]:
    """Seconds for the exact character table (conjugacy classes included, as in GAP's `CharacterTable`),
    then for the unitary irreps and the real orthogonal ones (groups up to order 480; the order-1000 cases
    measure tables only). Each group is built afresh, its Cayley table outside the timing."""
    rows = []
    for name, build in representation_cases().items():
        group = build()
        start = time.perf_counter()
        table = group.character_table()
        rows.append({"case": "character table", "candidate": name, "value": _seconds(start), "ratio": None})
        if group.order > 500:
            continue
        start = time.perf_counter()
        group.irreps()
        value = f"{_seconds(start)} (degrees up to {max(table.degrees)})"
        rows.append({"case": "unitary irreps", "candidate": name, "value": value, "ratio": None})
        start = time.perf_counter()
        group.irreps(real=True)
        rows.append(
            {"case": "real orthogonal irreps, after those", "candidate": name, "value": _seconds(start), "ratio": None}
        )
    return rows


def _seconds(start: float) -> str:
    return f"{time.perf_counter() - start:.3f} s"


def format_rows(rows: list[dict], value: str = "time / size") -> str:
    """A markdown table of benchmark rows; `value` names the measured column."""
    lines = [f"| case | candidate | {value} | ratio to floor |", "| --- | --- | --- | --- |"]
    for row in rows:
        ratio = "" if row["ratio"] is None else f"{row['ratio']:.2f}x"
        lines.append(f"| {row['case']} | {row['candidate']} | {row['value']} | {ratio} |")
    return "\n".join(lines)
