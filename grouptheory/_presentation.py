"""Group presentations: parsing ``< a, b | a^4, b^2, (a b)^2 >`` and coset enumeration.

Words are lists of letters ``(generator, +1 | -1)``. The enumeration is Todd-Coxeter's HLT
strategy over the trivial subgroup, so its cosets are the group's elements and its table is
the right multiplication by each generator.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass

from ._errors import GroupTheoryError
from .limits import MAX_COSET_WORK, MAX_NESTING, MAX_RELATOR_LETTERS, MAX_TEXT

Letter = tuple[int, int]
Word = tuple[Letter, ...]

_TOKEN = re.compile(r"\s*(?:([A-Za-z_]\w*)|(-?\d+)|(\*\*|[<>|,=*^()\[\]]))")


@dataclass(frozen=True)
class Presentation:
    """A parsed presentation: generator names and relators (relations moved to ``word = 1``)."""

    text: str
    generators: tuple[str, ...]
    relations: tuple[str, ...]
    relators: tuple[Word, ...]


def check_identifier(name: object, what: str) -> str:
    """name, if it is a valid Python identifier and not a keyword (it will reach generated code).

    >>> check_identifier("r", "generator name")
    'r'
    >>> check_identifier("class", "generator name")
    Traceback (most recent call last):
    ...
    grouptheory._errors.GroupTheoryError: generator name 'class' is a Python keyword; choose another name
    """
    if not isinstance(name, str) or not name.isidentifier() or not name.isascii():
        raise GroupTheoryError(
            f"{what} {name!r} is not a valid identifier: use letters, digits and '_', not starting with a digit"
        )
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        raise GroupTheoryError(f"{what} {name!r} is a Python keyword; choose another name")
    return name


def parse_presentation(text: str) -> Presentation:
    """Parse a presentation; errors give the position of the offending character.

    >>> p = parse_presentation("< i, j | i^4, i^2 = j^2, j^-1 i j = i^-1 >")
    >>> p.generators, len(p.relators)
    (('i', 'j'), 3)
    """
    return _Parser(text, "presentation", "'< a | a^4 >'").presentation()


def parse_word(text: str, generators: tuple[str, ...]) -> Word:
    """Parse one word in the named generators, written as in a presentation's relations (reduced).

    >>> parse_word("r^2 s r^-1", ("r", "s"))
    ((0, 1), (0, 1), (1, 1), (0, -1))
    """
    parser = _Parser(text, "word", "'r^2 s'")
    parser.names = {name: k for k, name in enumerate(generators)}
    word = parser._word()
    if parser.index < len(parser.tokens):
        raise parser._error(parser.tokens[parser.index][1], "unexpected text after the word")
    return reduce_word(word)


class _Parser:
    def __init__(self, text: str, what: str, example: str) -> None:
        if not isinstance(text, str):
            raise GroupTheoryError(f"a {what} must be a string like {example}, not {text!r}")
        if len(text) > MAX_TEXT:
            raise GroupTheoryError(f"the {what} has {len(text)} characters; the limit is {MAX_TEXT}")
        self.text, self.what = text, what
        self.depth = 0
        self.letters = 0
        self.tokens: list[tuple[str, int]] = []
        position = 0
        while text[position:].strip():
            match = _TOKEN.match(text, position)
            if not match:
                start = len(text) - len(text[position:].lstrip())
                raise self._error(start, f"unexpected character {text[start]!r}")
            group = match.lastindex or 0
            self.tokens.append((match.group(group), match.start(group)))
            position = match.end()
        self.index = 0
        self.names: dict[str, int] = {}

    def _error(self, position: int, message: str) -> GroupTheoryError:
        pointer = " " * position + "^"
        return GroupTheoryError(f"{message} at position {position} of the {self.what}:\n  {self.text}\n  {pointer}")

    def _peek(self) -> str | None:
        return self.tokens[self.index][0] if self.index < len(self.tokens) else None

    def _take(self, *expected: str) -> tuple[str, int]:
        if self.index >= len(self.tokens):
            wanted = " or ".join(repr(e) for e in expected) or "more input"
            raise self._error(len(self.text), f"expected {wanted} but the {self.what} ended")
        token = self.tokens[self.index]
        if expected and token[0] not in expected:
            wanted = " or ".join(repr(e) for e in expected)
            raise self._error(token[1], f"expected {wanted} but found {token[0]!r}")
        self.index += 1
        return token

    def presentation(self) -> Presentation:
        self._take("<")
        while True:
            name, position = self._take()
            try:
                check_identifier(name, "generator name")
            except GroupTheoryError as error:
                raise self._error(position, str(error)) from None
            if name in self.names:
                raise self._error(position, f"generator {name!r} is declared twice")
            self.names[name] = len(self.names)
            if self._take(",", "|", ">")[0] != ",":
                self.index -= 1
                break
        relations, relators = [], []
        if self._take("|", ">")[0] == "|" and self._peek() != ">":
            while True:
                start = self.tokens[self.index][1]
                relator = self._relation()
                end = self.tokens[self.index][1] if self.index < len(self.tokens) else len(self.text)
                relations.append(self.text[start:end].strip())
                relators.append(relator)
                if self._take(",", ">")[0] == ">":
                    break
        if self.index < len(self.tokens):
            raise self._error(self.tokens[self.index][1], "unexpected text after '>'")
        return Presentation(self.text, tuple(self.names), tuple(relations), tuple(relators))

    def _relation(self) -> Word:
        left = self._word()
        if self._peek() == "=":
            self._take("=")
            return reduce_word(left + invert(self._word()))
        return reduce_word(left)

    def _word(self) -> Word:
        start = self.index
        letters: list[Letter] = []
        while self._peek() not in (None, ",", ">", "=", ")", "]"):
            if self._peek() == "*":
                self._take("*")
            letters.extend(self._factor())
        if self.index == start:
            position = self.tokens[self.index][1] if self.index < len(self.tokens) else len(self.text)
            raise self._error(position, "expected a word (a generator, '(' or '1')")
        return tuple(letters)

    def _factor(self) -> list[Letter]:
        token, position = self._take()
        if token in ("(", "["):
            self.depth += 1
            if self.depth > MAX_NESTING:
                raise self._error(position, f"brackets nest deeper than the limit of {MAX_NESTING} levels")
        if token == "(":
            base = list(self._word())
            self._take(")")
            self.depth -= 1
        elif token == "[":
            a = self._word()
            self._take(",")
            b = self._word()
            self._take("]")
            self.depth -= 1
            base = list(invert(a) + invert(b) + a + b)
            self._count(len(a) + len(b), position)
        elif token == "1":
            base = []
        elif token in self.names:
            base = [(self.names[token], 1)]
            self._count(1, position)
        elif token.isidentifier():
            hint = " (write a product as 'a b' or 'a*b')" if len(token) > 1 else ""
            known = ", ".join(self.names)
            raise self._error(position, f"unknown generator {token!r}; the generators are {known}{hint}")
        else:
            raise self._error(position, f"expected a generator, '(' or '1' but found {token!r}")
        if self._peek() in ("^", "**"):
            self._take("^", "**")
            exponent_text, exponent_position = self._take()
            try:
                exponent = int(exponent_text)
            except ValueError:
                raise self._error(
                    exponent_position, f"expected an integer exponent but found {exponent_text!r}"
                ) from None
            self._count(len(base) * (abs(exponent) - 1), exponent_position)
            base = list(invert(tuple(base))) * -exponent if exponent < 0 else base * exponent
        return base

    def _count(self, letters: int, position: int) -> None:
        """Keep the relators, once powers are expanded, within MAX_RELATOR_LETTERS (checked before expanding)."""
        self.letters += letters
        if self.letters > MAX_RELATOR_LETTERS:
            raise self._error(
                position,
                f"the {'relators expand' if self.what == 'presentation' else 'word expands'} to more than "
                f"{MAX_RELATOR_LETTERS:,} letters (the limit); write shorter {self.what}s",
            )


def invert(word: Word) -> Word:
    return tuple((g, -s) for g, s in reversed(word))


def reduce_word(word: Word) -> Word:
    """Free reduction: cancel adjacent g g^-1."""
    out: list[Letter] = []
    for letter in word:
        if out and out[-1] == (letter[0], -letter[1]):
            out.pop()
        else:
            out.append(letter)
    return tuple(out)


def enumerate_cosets(presentation: Presentation, max_cosets: int) -> list[list[int]]:
    """Right multiplication table of the group: ``table[c][g]`` for the cosets of {1}.

    Rows are the group's elements (coset 0 is the identity), column g is generator g. Raises
    when more than max_cosets cosets are alive at once (an infinite or too large group).
    """
    return _CosetTable(len(presentation.generators), max_cosets).run(presentation.relators)


class _CosetTable:
    """HLT coset enumeration with coincidence processing (Holt, Handbook of CGT, 5.1)."""

    def __init__(self, generator_count: int, max_cosets: int) -> None:
        self.columns = 2 * generator_count
        self.max_cosets = max_cosets
        self.table: list[list[int]] = [[-1] * self.columns]
        self.forward: list[int] = [0]
        self.live = 1

    @staticmethod
    def _column(letter: Letter) -> int:
        return 2 * letter[0] + (letter[1] < 0)

    def _define(self, coset: int, column: int) -> None:
        if self.live >= self.max_cosets:
            raise OverflowError
        new = len(self.table)
        self.table.append([-1] * self.columns)
        self.forward.append(new)
        self.live += 1
        self.table[coset][column] = new
        self.table[new][column ^ 1] = coset

    def _find(self, coset: int) -> int:
        root = coset
        while self.forward[root] != root:
            root = self.forward[root]
        while self.forward[coset] != root:
            self.forward[coset], coset = root, self.forward[coset]
        return root

    def _merge(self, a: int, b: int, queue: list[int]) -> None:
        a, b = self._find(a), self._find(b)
        if a != b:
            a, b = min(a, b), max(a, b)
            self.forward[b] = a
            self.live -= 1
            queue.append(b)

    def _coincidence(self, a: int, b: int) -> None:
        queue: list[int] = []
        self._merge(a, b, queue)
        while queue:
            dead = queue.pop(0)
            for column in range(self.columns):
                target = self.table[dead][column]
                if target < 0:
                    continue
                self.table[target][column ^ 1] = -1
                u, v = self._find(dead), self._find(target)
                if self.table[u][column] >= 0:
                    self._merge(v, self.table[u][column], queue)
                elif self.table[v][column ^ 1] >= 0:
                    self._merge(u, self.table[v][column ^ 1], queue)
                else:
                    self.table[u][column] = v
                    self.table[v][column ^ 1] = u

    def _scan_and_fill(self, coset: int, relator: tuple[int, ...]) -> None:
        table = self.table
        f = b = coset
        i, j = 0, len(relator) - 1
        while True:
            while i <= j and table[f][relator[i]] >= 0:
                f = table[f][relator[i]]
                i += 1
            if i > j:
                if f != b:
                    self._coincidence(f, b)
                return
            while j >= i and table[b][relator[j] ^ 1] >= 0:
                b = table[b][relator[j] ^ 1]
                j -= 1
            if j < i:
                self._coincidence(f, b)
                return
            if i == j:
                table[f][relator[i]] = b
                table[b][relator[i] ^ 1] = f
                return
            self._define(f, relator[i])

    def run(self, relators: tuple[Word, ...]) -> list[list[int]]:
        columns = [tuple(self._column(letter) for letter in relator) for relator in relators]
        letters = sum(map(len, columns))
        scanned = 0
        coset = 0
        while coset < len(self.table):
            scanned += letters
            if scanned > MAX_COSET_WORK:
                raise GroupTheoryError(
                    f"coset enumeration scanned more than {MAX_COSET_WORK:,} relator letters (the limit) "
                    f"with {self.live} cosets alive; the group is infinite or too large: add relations, "
                    "or lower max_order to fail sooner"
                )
            for relator in columns:
                if self.forward[coset] != coset:
                    break
                self._scan_and_fill(coset, relator)
            if self.forward[coset] == coset:
                for column in range(self.columns):
                    if self.table[coset][column] < 0:
                        self._define(coset, column)
            coset += 1
        live = [c for c in range(len(self.table)) if self.forward[c] == c]
        renumber = {c: i for i, c in enumerate(live)}
        return [[renumber[self.table[c][2 * g]] for g in range(self.columns // 2)] for c in live]
