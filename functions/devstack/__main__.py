"""`python -m devstack` (what `make dev` runs): the platform on loopback, see docs/local-stack.md."""

from devstack.stack import main

raise SystemExit(main())
