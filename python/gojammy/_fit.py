"""Running gj_pdf_fit (and gj_pdf_fit_variational) with a Python progress callback and a progress bar."""

import contextlib
import ctypes
import math
import signal
import threading
import time

import numpy as np

from . import _api
from ._lib import check, lib
from ._progress import progress_bar

# Seconds between two redraws of the progress bar (the last step is always drawn).
_REDRAW_INTERVAL = 0.1


class _Progress:
    """The gj_progress_fn state: redraws the bar, stops training after Ctrl-C (interrupted) and
    remembers an exception raised while drawing, which stops training and is re-raised after it."""

    def __init__(self, bar, total_steps):
        self.bar, self.total = bar, total_steps
        self.error = None
        self.interrupted = False
        self.last_draw = 0.0
        self.last = None  # (step, epoch, loss) of the most recent step

    def __call__(self, _user, step, epoch, loss, val_loss):
        if self.interrupted:
            return 1
        try:
            self.last = (step, epoch, loss)
            now = time.monotonic()
            if step == self.total or now - self.last_draw >= _REDRAW_INTERVAL:
                self.last_draw = now
                self.draw(val_loss)
            return 0
        except BaseException as e:  # noqa: BLE001 - must not propagate through C
            self.error = e
            return 1

    def draw(self, val_loss):
        """Redraw the bar for the most recent step."""
        step, epoch, loss = self.last
        val = "" if math.isnan(val_loss) else f" val_loss {val_loss:.4f}"
        self.bar.update(step, f"epoch {epoch} loss {loss:.4f}{val}")


@contextlib.contextmanager
def _deferred_interrupt(state):
    """While training, let Ctrl-C only set state.interrupted (the callback then stops training),
    instead of raising KeyboardInterrupt at an arbitrary point of the callback, where ctypes would
    swallow it. Only in the main thread and when SIGINT has Python's default handler."""
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        yield
        return

    def handler(_signum, _frame):
        state.interrupted = True

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def run_fit(handle, data, cond, val, val_cond, coords, opts, progress):
    """Call gj_pdf_fit; returns the history dict, or re-raises an exception from the callback."""
    n = data.shape[0]
    steps_per_epoch = -(-n // min(opts.batch_size, n))

    def call(callback, loss, val_loss, n_hist):
        return lib().gj_pdf_fit(
            handle, data, n, data.size,
            cond, 0 if cond is None else cond.size,
            val, 0 if val is None else val.shape[0], 0 if val is None else val.size,
            val_cond, 0 if val_cond is None else val_cond.size,
            coords, ctypes.byref(opts), callback, None,
            loss, val_loss, opts.epochs, ctypes.byref(n_hist),
        )

    return run_training(call, opts, opts.epochs, opts.epochs * steps_per_epoch, "fit", val is not None, progress)


def run_training(call, opts, epochs, total_steps, what, validation, progress):
    """Run a training call (gj_pdf_fit or gj_pdf_fit_variational, options opts) with a progress
    bar: call(callback, loss_history, val_history, n_history) returns the library's status.
    Returns the history dict, or re-raises an exception from the callback."""
    bar = progress_bar(total_steps, desc=what, progress=progress)
    state = _Progress(bar, total_steps)
    callback = _api.PROGRESS_FN(state)
    loss = np.full(epochs, np.nan)
    val_loss = np.full(epochs, np.nan)
    skipped_nan = np.zeros(epochs, dtype=np.int64)
    skipped_outside = np.zeros(epochs, dtype=np.int64)
    opts.skipped_nan_history = skipped_nan.ctypes.data_as(ctypes.POINTER(ctypes.c_int64))
    opts.skipped_outside_history = skipped_outside.ctypes.data_as(ctypes.POINTER(ctypes.c_int64))
    n_hist = ctypes.c_int64(0)
    n_epochs = 0
    try:
        with _deferred_interrupt(state):
            status = call(callback, loss, val_loss, n_hist)
        n_epochs = min(n_hist.value, epochs)
        if state.last is not None and validation and n_epochs:
            state.draw(val_loss[n_epochs - 1])  # show the final validation loss
    finally:
        bar.close()
    if state.error is not None:
        raise state.error
    if state.interrupted:
        raise KeyboardInterrupt
    if status != _api.ERR_STOPPED:
        check(status, what)
    return {
        "loss": loss[:n_epochs].tolist(),
        "val_loss": val_loss[:n_epochs].tolist() if validation else [],
        # per epoch, the rows (samples of a variational fit) left out of the loss: NaN rows,
        # rows outside the support
        "skipped_nan": skipped_nan[:n_epochs].tolist(),
        "skipped_outside": skipped_outside[:n_epochs].tolist(),
    }
