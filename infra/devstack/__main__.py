"""`python -m infra.devstack` (what `make dev` runs): the platform on loopback, see docs/local-stack.md."""

import os
import sys

from .stack import main

code = main()
# Everything is saved and stopped by now. Threads that moto's Step Functions executions leave
# waiting for a task token (days, for a step) would otherwise hold the interpreter's exit for
# as long as their next timeout.
sys.stdout.flush()
sys.stderr.flush()
os._exit(code)
