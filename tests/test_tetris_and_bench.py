"""3D Tetris with cube groups, and the benchmark functions (run small, not timed)."""

from codegen.apps import bench, tetris
from generated import o


def test_o_networks_score_the_same_on_rotated_shapes():
    """An O-invariant network, of regular fields or of irrep fields, has exactly its training accuracy on randomly
    rotated shapes."""
    models = {"O G-CNN": (o, 2), "O steerable CNN": (o, {"trivial": 2, "irrep_2": 1, "irrep_3": 1})}
    rows = tetris.run(models, o, epochs=10, quiet=True)
    for row in rows:
        assert row["rotated test accuracy"] == row["train accuracy"], row["model"]


def test_benchmarks_run_every_case():
    """Each benchmark measures the floor and the generated layer in every case (run small, not timed)."""
    rows = bench.bench_layers("c4", fields=2, size=8, kernel=3, batches=(2,), rounds=1)
    rows += bench.bench_layers("o", fields=1, size=4, kernel=3, batches=(1,), rounds=1)
    rows += bench.bench_build("c4", layers=2) + bench.bench_generation(("c2",))
    rows += bench.bench_transposed("d4", fields=1, size=4, batch=2, rounds=1)
    rows += bench.bench_equivariance(("c8",), samples=1)
    memory = {"regular": {"regular": 1}, "irreps": {"trivial": 2, "irrep_3": 1}}
    rows += bench.bench_field_memory("o", memory, size=5, batch=1, layers=2)
    small = {
        name: (group, {**options, "hidden_channels": 2}) for name, (group, options) in bench.MNIST_NETWORKS.items()
    }
    rows += bench.bench_networks(small, batch=2, size=8, rounds=1, num_layers=3, downsample_every=1)
    table = bench.format_rows(rows)
    cases = ("train fwd+bwd, batch 2", "eval forward, batch 1", "memory saved for backward", "generate and import")
    for case in (*cases, "transposed 4x4->8x8, train"):
        assert case in table
    assert "generated c4.GroupConv2d" in table and "generated o.GroupConv3d" in table
    assert "generated d4.GroupConvTranspose2d" in table
    assert "training step, batch 2, 8x8" in table and all(name in table for name in bench.MNIST_NETWORKS)
    assert "| C8, lifting + ReLU + group conv | continuous filters |" in table
    assert "| o SteerableCNN, 2 layers: activations saved, batch 1, 5^3 | irreps: 5 channels" in table
