"""gojammy: normalizing flows with jammy_flows' API, computed by a Go engine (libgojammy).

    import gojammy
    pdf = gojammy.pdf("e2", "gggg")
    history = pdf.fit(data, epochs=20)
    log_pdf, base_log_pdf, base = pdf(x)
    samples, base_samples, log_pdf, base_log_pdf = pdf.sample(samplesize=1000)

Arrays are numpy float64. The library is loaded on first use, from the package directory or
from $GOJAMMY_LIBRARY.
"""

from ._errors import GojammyError, GojammyValueError
from ._info import info, memory_budget, set_memory_budget, set_threads
from ._fully_amortized import fully_amortized_pdf
from ._jammy import from_jammy_flows, from_state_dict, to_jammy_flows
from ._pdf import from_bytes, load, pdf
from ._stats import gof_pvalue
from ._version import __version__

__all__ = [
    "GojammyError",
    "GojammyValueError",
    "__version__",
    "from_bytes",
    "fully_amortized_pdf",
    "gof_pvalue",
    "from_jammy_flows",
    "from_state_dict",
    "info",
    "load",
    "memory_budget",
    "pdf",
    "set_memory_budget",
    "set_threads",
    "to_jammy_flows",
]
