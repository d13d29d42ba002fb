"""The ``gcnn`` command line."""

from __future__ import annotations

import argparse
import sys

from grouptheory import GroupTheoryError, load
from grouptheory.describe import FORMATS, describe


def _show(args: argparse.Namespace) -> int:
    print(describe(load(args.group), args.format))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gcnn", description="Generate group-equivariant CNN layers from declared groups."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    show = commands.add_parser("show", help="print a group: elements, Cayley table, classes, centre")
    show.add_argument("group", help="a catalog name (c4, d4, ...) or a path to a TOML spec")
    show.add_argument("--format", choices=FORMATS, default="text")
    show.set_defaults(run=_show)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except GroupTheoryError as error:
        print(f"gcnn: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
