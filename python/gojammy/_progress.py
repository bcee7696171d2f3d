"""A minimal training progress bar: tqdm when installed, else a plain one-line bar on stderr."""

import sys
import time


def _use_bar(progress, stream):
    """Whether to show a bar: progress=True shows it only on a terminal; "always"/"never" force it."""
    if progress in ("always", "force"):
        return True
    if not progress or progress == "never":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class _PlainBar:
    """A carriage-return progress line on a text stream."""

    width = 30

    def __init__(self, total, desc, stream):
        self.total, self.desc, self.stream = total, desc, stream
        self.n, self.postfix, self.start = 0, "", time.monotonic()
        self.shown = 0

    def update(self, n, postfix):
        self.n, self.postfix = n, postfix
        frac = min(1.0, n / self.total) if self.total else 1.0
        filled = int(round(frac * self.width))
        elapsed = time.monotonic() - self.start
        line = f"{self.desc} [{'#' * filled}{'.' * (self.width - filled)}] {n}/{self.total} {elapsed:6.1f}s {postfix}"
        self.stream.write("\r" + line.ljust(self.shown))
        self.shown = len(line)
        self.stream.flush()

    def close(self):
        self.stream.write("\n")
        self.stream.flush()


class _TqdmBar:
    """Adapter over tqdm.tqdm with the same update/close interface as _PlainBar."""

    def __init__(self, tqdm, total, desc, stream):
        self.bar = tqdm(total=total, desc=desc, file=stream, leave=True)
        self.n = 0

    def update(self, n, postfix):
        self.bar.update(n - self.n)
        self.n = n
        self.bar.set_postfix_str(postfix, refresh=True)

    def close(self):
        self.bar.close()


class _NoBar:
    """A progress bar that shows nothing."""

    def update(self, n, postfix):
        pass

    def close(self):
        pass


def progress_bar(total, desc="fit", progress=True, stream=None):
    """Return a bar with update(n, postfix) and close() for ``total`` steps.

    ``progress``: True = only when ``stream`` (default stderr) is a terminal, False = never,
    "always" = even when it is not a terminal. tqdm is used when it is installed.
    """
    stream = sys.stderr if stream is None else stream
    if not _use_bar(progress, stream):
        return _NoBar()
    try:
        from tqdm import tqdm
    except ImportError:
        return _PlainBar(total, desc, stream)
    return _TqdmBar(tqdm, total, desc, stream)
