"""3D Tetris with cube groups, and the benchmark functions (run small, not timed)."""

from codegen.apps import bench, tetris
from generated import o


def test_o_network_scores_the_same_on_rotated_shapes():
    """An O-invariant network has exactly its training accuracy on randomly rotated shapes."""
    rows = tetris.run({"O G-CNN": (o, 2)}, o, epochs=10, quiet=True)
    assert rows[0]["rotated test accuracy"] == rows[0]["train accuracy"]


def test_benchmarks_run_and_report_ratios():
    """Each benchmark returns rows whose ratios are against the first (floor) candidate."""
    rows = bench.bench_layers("c4", fields=2, size=8, kernel=3, batches=(2,), rounds=1)
    assert rows[0]["ratio"] == 1.0 and all(r["ratio"] > 0 for r in rows)
    rows += bench.bench_layers("o", fields=1, size=4, kernel=3, batches=(1,), rounds=1)
    rows += bench.bench_build("c4", layers=2) + bench.bench_generation(("c2",))
    assert "| case |" in bench.format_rows(rows)
