"""One construct per concern; a stack only wires them (infra/stack.py)."""
