"""Applications built on the generator: training and evaluation, the demos, benchmarks and figures.

They use generated modules like any user would (``codegen.loading``, ``codegen.equivariance``),
and report their own failures (a truncated data file, an output folder that is not theirs) as
`AppError`, not as code-generation errors.
"""

from ._errors import AppError

__all__ = ["AppError"]
