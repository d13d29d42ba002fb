"""The codegen exception."""


class CodegenError(ValueError):
    """Raised when a module cannot be generated or the generated tree is inconsistent."""
