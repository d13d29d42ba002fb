"""README.md stays true: its Python blocks run, and its gcnn commands parse (cheap ones run)."""

import re
import shlex
from pathlib import Path

import pytest

from codegen import cli

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()
PYTHON_BLOCKS = re.findall(r"```python\n(.*?)```", README, flags=re.S)
COMMANDS = [
    line.split("#")[0].strip()
    for block in re.findall(r"```bash\n(.*?)```", README, flags=re.S)
    for line in block.splitlines()
    if line.strip().startswith("gcnn ")
]


@pytest.mark.parametrize("index", range(len(PYTHON_BLOCKS)))
def test_python_examples_run(index):
    """Every python block of the README runs as written."""
    exec(compile(PYTHON_BLOCKS[index], f"README.md block {index}", "exec"), {})


@pytest.mark.parametrize("command", COMMANDS)
def test_commands_parse(command):
    """Every gcnn command in the README is accepted by the command line parser."""
    cli.build_parser().parse_args(shlex.split(command)[1:])


@pytest.mark.parametrize("command", [c for c in COMMANDS if c.startswith(("gcnn show", "gcnn generate --check"))])
def test_cheap_commands_run(command, capsys):
    """The README's show and check commands succeed."""
    assert cli.main(shlex.split(command)[1:]) == 0
    assert capsys.readouterr().out


def test_the_two_setup_commands_are_what_ci_runs():
    """The README's test command is the one .ci/run executes."""
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text()
    assert "pip install -e '.[dev,onnx]' && python -m pytest -q" in README
    assert "\npip install -e '.[dev,onnx]' && python -m pytest -q\n" in ci
