"""``python -m codegen`` is the ``gcnn`` command."""

from codegen.cli import main

raise SystemExit(main())
