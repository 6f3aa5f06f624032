"""Entry for ``python -m safeclass``."""

from safeclass.cli import main

raise SystemExit(main())
