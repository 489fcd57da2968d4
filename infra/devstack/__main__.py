"""`python -m infra.devstack` (what `make dev` runs): the platform on loopback, see docs/local-stack.md."""

from .stack import main

raise SystemExit(main())
