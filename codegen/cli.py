"""The ``gcnn`` command line: every mistake ends in one line on stderr and exit code 2."""

from __future__ import annotations

import argparse
import math
import os
import signal
import sys
from pathlib import Path

from grouptheory import DESCRIBE_FORMATS, GroupTheoryError, catalog_names, describe, load
from grouptheory.describe import describe_characters

from ._errors import CodegenError
from .apps import AppError
from .apps.budget import MAX_SEED


def _show(args: argparse.Namespace) -> int:
    group = load(args.group)
    print(describe_characters(group, args.format) if args.characters else describe(group, args.format))
    return 0


def _generate(args: argparse.Namespace) -> int:
    from .generate import plan, stale, write

    if args.all and args.groups:
        raise CodegenError("give spec names or --all, not both")
    whole_catalog = args.all or (args.check and not args.groups)
    specs = list(catalog_names()) if whole_catalog else list(args.groups)
    if not specs:
        raise CodegenError("name the groups to generate (e.g. gcnn generate c4 my_group.toml) or pass --all")
    out = Path(args.out)
    modules = plan(specs, out)
    if args.check:
        outdated = stale(modules, out, whole_folder=whole_catalog)
        for path in outdated:
            print(f"stale: {path}", file=sys.stderr)
        if outdated:
            print("run `gcnn generate --all` and commit the result", file=sys.stderr)
            return 1
        print(f"{len(modules)} generated modules are up to date in {args.out}")
        return 0
    written = write(modules)
    for module in modules:
        print(f"{'wrote' if module.path in written else 'unchanged'} {module.path}")
    return 0


def _bench(args: argparse.Namespace) -> int:
    import torch

    from .apps import bench

    header = f"torch {torch.__version__}, {torch.get_num_threads()} threads"
    value = "time / size"
    if args.what == "groups":
        rows = bench.bench_groups() + bench.bench_representations()
    elif args.what == "equivariance":
        rows, value = bench.bench_equivariance(samples=args.samples), "worst element's relative error"
    elif args.what == "networks":
        rows = bench.bench_networks()
    elif args.three_d:
        rows = bench.bench_generation(("o", "oh")) + bench.bench_layers("o", fields=4, size=16, kernel=3, batches=(4,))
        rows += bench.bench_field_memory("i")
    else:
        _require_planar(args.group, "gcnn bench layers", "it measures planar layers (--3d measures O on volumes)")
        rows = bench.bench_build(args.group) + bench.bench_layers(args.group) + bench.bench_transposed(args.group)
        rows += bench.bench_steerable(args.group)
    print(header)
    print(bench.format_rows(rows, value))
    return 0


def _demo(args: argparse.Namespace) -> int:
    from .apps.demo import run_demo, run_demo_3d, run_demo_orientation, run_demo_segmentation
    from .apps.threads import use_idle_cores

    if args.three_d + args.segmentation + args.orientation > 1:
        raise AppError("give one of --3d, --segmentation and --orientation")
    if args.filters and not args.segmentation:
        raise AppError("--filters chooses the segmentation demo's U-Net filters; give it with --segmentation")
    use_idle_cores()
    common = {"quiet": args.quiet, "seed": args.seed}
    if args.segmentation:
        out = Path(args.out or "gcnn-output/demo-segmentation")
        run_demo_segmentation(out, epochs=args.epochs or 16, filters=args.filters or "continuous", **common)
    elif args.orientation:
        run_demo_orientation(Path(args.out or "gcnn-output/demo-orientation"), epochs=args.epochs or 15, **common)
    elif args.three_d:
        run_demo_3d(Path(args.out or "gcnn-output/demo-3d"), epochs=args.epochs or 150, **common)
    else:
        run_demo(Path(args.out or "gcnn-output/demo"), epochs=args.epochs or 15, **common)
    return 0


def _train(args: argparse.Namespace) -> int:
    from .apps.runs import train_run
    from .apps.threads import use_idle_cores
    from .apps.training import TrainConfig

    use_idle_cores()
    config = TrainConfig(
        epochs=args.epochs,
        batch_size=args.batch_size or (8 if args.task == "segmentation" else 64),
        learning_rate=args.lr,
        hidden_channels=args.hidden_channels,
        num_layers=args.num_layers,
        kernel_size=args.kernel_size,
        downsample_every=args.downsample_every,
        group_pool=args.group_pool,
        seed=args.seed,
        task=args.task,
        depth=args.depth,
        canvas_size=args.canvas_size,
        canvases=args.canvases,
        filters=args.filters,
        upsampling=args.upsampling,
        global_context=args.global_context,
        restrict_to=args.restrict_to,
        restrict_after=args.restrict_after,
        fourier_irreps=args.fourier_irreps,
        augment_rotations=args.augment_rotations,
        augment_shifts=args.augment_shifts,
        loss=args.loss or ("cross_entropy_dice" if args.task == "segmentation" else "cross_entropy"),
    )
    out = Path(args.out or f"gcnn-output/train-{Path(args.group).stem}")
    train_run(args.group, args.dataset, args.data_dir, config, out, train_size=args.train_size, quiet=args.quiet)
    return 0


def _eval(args: argparse.Namespace) -> int:
    import json

    from .apps.runs import eval_run

    print(json.dumps(eval_run(Path(args.checkpoint), args.data_dir, args.group), indent=2))
    return 0


def _require_planar(spec: str, command: str, why: str) -> None:
    group = load(spec)
    if not group.has_action or group.dimension != 2:
        acts = f"acts on {group.dimension}-space" if group.has_action else "has no action on the plane"
        raise AppError(f"{command}: group {group.name} {acts}; {why}: choose a planar group such as c4 or d4")


def _positive_int(text: str) -> int:
    return _int_at_least(text, 1)


def _non_negative_int(text: str) -> int:
    return _int_at_least(text, 0)


def _seed(text: str) -> int:
    value = _int_at_least(text, 0)
    if value > MAX_SEED:
        raise argparse.ArgumentTypeError(f"{value} is above the largest seed, 2^63 - 1")
    return value


def _irrep_indices(text: str) -> tuple[int, ...]:
    """'0,1,2,3' -> (0, 1, 2, 3); which indices the group has is checked with the rest of the run."""
    return tuple(_int_at_least(part.strip(), 0) for part in text.split(","))


def _int_at_least(text: str, minimum: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"{value} is below {minimum}; give an integer >= {minimum}")
    return value


def _odd_int(text: str) -> int:
    value = _positive_int(text)
    if value % 2 == 0:
        raise argparse.ArgumentTypeError(f"{value} is even; 'same' padding needs an odd size such as {value + 1}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text} must be a positive finite number such as 3e-3")
    return value


class _Parser(argparse.ArgumentParser):
    """argparse, with a usage error as one line: the command, the bad value and the fix."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="gcnn", description="Generate group-equivariant CNN layers from declared groups.")
    commands = parser.add_subparsers(dest="command", required=True)
    show = commands.add_parser("show", help="print a group: elements, Cayley table, classes, centre")
    show.add_argument("group", help="a catalog name (c4, d4, ...) or a path to a TOML spec")
    show.add_argument("--format", choices=DESCRIBE_FORMATS, default="text")
    show.add_argument(
        "--characters", action="store_true", help="the character table instead (GAP's layout; exact values in JSON)"
    )
    show.set_defaults(run=_show)

    from .generate import DEFAULT_OUT

    generate = commands.add_parser("generate", help="write generated/<group>.py for groups, or check they are fresh")
    generate.add_argument("groups", nargs="*", help="catalog names or TOML spec paths")
    generate.add_argument("--all", action="store_true", help="every group in the catalog")
    generate.add_argument("--out", default=str(DEFAULT_OUT), help="output folder (default: the package's generated/)")
    generate.add_argument(
        "--check",
        action="store_true",
        help="exit 1, listing files, if the named modules (default: the whole catalog and folder) are stale",
    )
    generate.set_defaults(run=_generate)

    demo = commands.add_parser("demo", help="the whole chain on real digits: groups, generated layers, training")
    demo.add_argument(
        "--out", help="output folder (default gcnn-output/demo, demo-3d, demo-segmentation or demo-orientation)"
    )
    demo.add_argument(
        "--epochs", type=_positive_int, help="training epochs (default 15; 150 with --3d, 16 with --segmentation)"
    )
    demo.add_argument("--3d", dest="three_d", action="store_true", help="3D Tetris with cube groups instead of digits")
    demo.add_argument("--segmentation", action="store_true", help="equivariant U-Nets segmenting canvases of digits")
    demo.add_argument(
        "--orientation", action="store_true", help="steerable CNNs that output a digit's upright direction as a vector"
    )
    demo.add_argument(
        "--filters",
        choices=["pixel", "continuous"],
        help="with --segmentation, the C4 and D4 U-Nets' filters: continuous (kernel 5, default) or pixel (3x3, "
        "faster); C8's are always continuous",
    )
    demo.add_argument(
        "--seed", type=_seed, default=0, help="seed of the data, the test rotations and the training (default 0)"
    )
    demo.add_argument("--quiet", action="store_true", help="no progress bars or commentary")
    demo.set_defaults(run=_demo)

    train = commands.add_parser("train", help="train a generated G-CNN on MNIST (IDX files) or sklearn digits")
    train.add_argument("--group", default="c4", help="a planar catalog name or a TOML spec path")
    train.add_argument("--dataset", choices=["mnist", "digits"], default="mnist")
    train.add_argument(
        "--task",
        choices=["classification", "segmentation"],
        default="classification",
        help="classify digits, or segment canvases of digits with a U-Net",
    )
    train.add_argument("--data-dir", help="folder with MNIST's IDX files (gzip or raw)")
    train.add_argument(
        "--train-size", type=_positive_int, default=8000, help="with only t10k files: images to train on"
    )
    train.add_argument("--epochs", type=_positive_int, default=10)
    train.add_argument(
        "--batch-size", type=_positive_int, help="images (or canvases) a step (default 64; 8 for segmentation)"
    )
    train.add_argument("--lr", type=_positive_float, default=3e-3)
    train.add_argument("--hidden-channels", type=_positive_int, default=16)
    train.add_argument("--num-layers", type=_positive_int, default=4)
    train.add_argument("--kernel-size", type=_odd_int, default=5)
    train.add_argument(
        "--downsample-every", type=_non_negative_int, default=0, help="2x2 max pool after every n blocks (0: never)"
    )
    train.add_argument(
        "--group-pool",
        choices=["max", "mean", "max_mean"],
        help="pooling of the group axis (default: mean; for segmentation the module's UNET_GROUP_POOL)",
    )
    train.add_argument(
        "--filters", choices=["pixel", "continuous"], help="filter parametrisation (default: the group's, see README)"
    )
    train.add_argument(
        "--upsampling",
        choices=["transposed", "nearest", "bilinear"],
        help="the segmentation U-Net's decoder (default: the group's, transposed where every element is exact on "
        "the grid, else bilinear)",
    )
    train.add_argument(
        "--global-context",
        action="store_true",
        help="the segmentation U-Net's deepest level adds each field's mean over the canvas, its group axis kept: "
        "every pixel sees how the canvas is oriented (GroupGlobalContext; measured in README)",
    )
    train.add_argument(
        "--restrict-to", help="a catalog subgroup (e.g. c8 for d8) that the network continues with, for classification"
    )
    train.add_argument(
        "--restrict-after",
        type=_non_negative_int,
        default=0,
        help="with --restrict-to: blocks equivariant to the whole group before the subgroup's",
    )
    train.add_argument(
        "--fourier-irreps",
        type=_irrep_indices,
        help="classify with the group's FourierCNN: --hidden-channels functions on the group made of these irreps "
        "(indices of IRREPS, e.g. 0,1,2,3 for C16's frequencies 0 to 3), FourierReLU between convolutions",
    )
    train.add_argument(
        "--augment-rotations",
        action="store_true",
        help="train on every batch turned by random angles (masks with the canvases): the baseline that networks "
        "trained upright are compared with",
    )
    train.add_argument(
        "--augment-shifts",
        action="store_true",
        help="shift half of every batch by random sub-pixel offsets (bilinear; masks follow the strokes): upright "
        "images resampled as turned test images are (measured in README for the C8 U-Net)",
    )
    train.add_argument(
        "--loss",
        choices=["cross_entropy", "cross_entropy_dice"],
        help="training loss (default: cross_entropy; cross_entropy_dice for segmentation: plus the soft Dice loss "
        "of every class, see README)",
    )
    train.add_argument("--seed", type=_seed, default=0)
    train.add_argument("--depth", type=_positive_int, default=3, help="U-Net levels (segmentation)")
    train.add_argument("--canvas-size", type=_positive_int, default=64, help="canvas side in pixels (segmentation)")
    train.add_argument("--canvases", type=_positive_int, default=2000, help="training canvases (segmentation)")
    train.add_argument("--out", help="folder for checkpoint.pt and results.json (default gcnn-output/train-GROUP)")
    train.add_argument("--quiet", action="store_true")
    train.set_defaults(run=_train)

    evaluate = commands.add_parser("eval", help="re-evaluate a checkpoint written by gcnn train")
    evaluate.add_argument("checkpoint")
    evaluate.add_argument("--data-dir", help="folder with MNIST's IDX files, for MNIST checkpoints")
    evaluate.add_argument("--group", help="refuse the checkpoint unless it was trained for this group")
    evaluate.set_defaults(run=_eval)

    bench = commands.add_parser(
        "bench",
        help="benchmarks: group construction, layers against plain conv, MNIST networks' steps, off-grid equivariance",
    )
    bench.add_argument("what", choices=["groups", "layers", "networks", "equivariance"])
    bench.add_argument("--group", default="c4", help="a planar group for `bench layers` (default c4)")
    bench.add_argument(
        "--3d",
        dest="three_d",
        action="store_true",
        help="an O group convolution on 16^3 volumes, and the activation memory of I's field types",
    )
    bench.add_argument(
        "--samples",
        type=_positive_int,
        default=20,
        help="`bench equivariance`: fresh layers and inputs per median (default 20, the issue's protocol)",
    )
    bench.set_defaults(run=_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # SIGTERM unwinds like Ctrl-C, so staging folders are removed and no output is half-written.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        return args.run(args)
    except (GroupTheoryError, CodegenError, AppError) as error:
        print(f"gcnn: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        # Ctrl-C: the run's staging folder is already gone (outputs unwind like SIGTERM); no traceback.
        print("gcnn: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (gcnn show c4 | head): stop quietly, as other command-line tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as error:
        where = f" {error.filename}" if error.filename else ""
        print(f"gcnn: error: cannot write or read{where}: {error.strerror or error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
