"""Worker functions of test_fork.py (importable by spawned processes)."""

import gojammy


def try_in_child(pdf, x, queue):
    """In a fork()ed child: evaluate and report the error message (or "no error")."""
    try:
        pdf(x)
        queue.put("no error")
    except gojammy.GojammyError as e:
        queue.put(str(e))


def evaluate(pdf, x):
    """log_pdf of x (in a pool worker)."""
    return pdf(x)[0]
