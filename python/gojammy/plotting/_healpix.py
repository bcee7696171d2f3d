"""HEALPix NESTED pixel numbers (Górski et al. 2005) and multi-resolution histograms of
directions, in numpy: what the sky maps need to draw adaptive pixels."""

import numpy as np

#: Finest order used for pixels (nside 2^13, 26 arcsec), as flowcore/healpix.Adaptive.
MAX_ORDER = 13


def _spread_bits(v):
    """Interleave the bits of v with zeros (bit i goes to bit 2i)."""
    v = v.astype(np.int64)
    out = np.zeros_like(v)
    for bit in range(MAX_ORDER + 1):
        out |= ((v >> bit) & 1) << (2 * bit)
    return out


def ang2pix_nest(order, theta, phi):
    """NESTED pixel numbers at nside = 2**order of directions (zenith theta, azimuth phi in radians).

    The same numbers as healpy.ang2pix(2**order, theta, phi, nest=True).
    """
    nside = 1 << int(order)
    theta, phi = np.broadcast_arrays(np.asarray(theta, dtype=np.float64), np.asarray(phi, dtype=np.float64))
    z = np.cos(theta)
    za = np.abs(z)
    tt = np.mod(phi / (0.5 * np.pi), 4.0)
    face = np.empty(z.shape, dtype=np.int64)
    ix = np.empty(z.shape, dtype=np.int64)
    iy = np.empty(z.shape, dtype=np.int64)

    eq = za <= 2.0 / 3.0
    t1 = nside * (0.5 + tt[eq])
    t2 = nside * (z[eq] * 0.75)
    jp = (t1 - t2).astype(np.int64)  # index of the ascending edge line
    jm = (t1 + t2).astype(np.int64)  # index of the descending edge line
    ifp, ifm = jp >> order, jm >> order
    face[eq] = np.where(ifp == ifm, ifp | 4, np.where(ifp < ifm, ifp, ifm + 8))
    ix[eq] = jm & (nside - 1)
    iy[eq] = nside - (jp & (nside - 1)) - 1

    pol = ~eq
    ntt = np.minimum(3, tt[pol].astype(np.int64))
    tp = tt[pol] - ntt
    tmp = nside * np.sqrt(3.0 * (1.0 - za[pol]))
    jp = np.minimum((tp * tmp).astype(np.int64), nside - 1)
    jm = np.minimum(((1.0 - tp) * tmp).astype(np.int64), nside - 1)
    north = z[pol] >= 0
    face[pol] = np.where(north, ntt, ntt + 8)
    ix[pol] = np.where(north, nside - jm - 1, jp)
    iy[pol] = np.where(north, nside - jp - 1, jm)
    return (face << (2 * order)) + _spread_bits(ix) + (_spread_bits(iy) << 1)


def pixel_area(order):
    """Solid angle of one pixel at nside = 2**order (steradians)."""
    return 4.0 * np.pi / (12.0 * 4.0**order)


def order_of_area(area):
    """The order whose pixels have solid angle ``area`` (rounded to the nearest order)."""
    return np.rint(np.log(np.pi / (3.0 * np.asarray(area, dtype=np.float64))) / np.log(4.0)).astype(np.int64)


class MultiResolutionMap:
    """Cells of several HEALPix orders that tile the sphere, each with a value.

    ``orders`` and ``pixels`` (NESTED numbers at their order) identify the cells, ``values``
    holds one number per cell. ``lookup(theta, phi)`` returns the value of the cell containing
    each direction (NaN where no cell does).
    """

    def __init__(self, orders, pixels, values):
        self.orders = np.asarray(orders, dtype=np.int64)
        self.pixels = np.asarray(pixels, dtype=np.int64)
        self.values = np.asarray(values, dtype=np.float64)

    def lookup(self, theta, phi):
        """Value of the cell containing each direction (theta, phi)."""
        theta, phi = np.broadcast_arrays(np.asarray(theta, dtype=np.float64), np.asarray(phi, dtype=np.float64))
        out = np.full(theta.shape, np.nan)
        for order in np.unique(self.orders):
            at = self.orders == order
            keys, vals = self.pixels[at], self.values[at]
            sort = np.argsort(keys)
            keys, vals = keys[sort], vals[sort]
            pix = ang2pix_nest(int(order), theta, phi)
            idx = np.clip(np.searchsorted(keys, pix), 0, len(keys) - 1)
            hit = keys[idx] == pix
            out[hit] = vals[idx[hit]]
        return out


def sample_histogram(theta, phi, max_entries_per_pixel=5, max_order=MAX_ORDER):
    """Multi-resolution histogram of directions: starting from the 12 base pixels, a pixel is
    split into its four children while it holds more than max_entries_per_pixel directions (down
    to max_order). Returns (MultiResolutionMap of the densities count / (N x area) per steradian,
    the cells' areas)."""
    theta = np.asarray(theta, dtype=np.float64)
    phi = np.asarray(phi, dtype=np.float64)
    n = theta.size
    if n == 0:
        raise ValueError("samples: no directions to histogram")
    finest = np.stack([ang2pix_nest(order, theta, phi) for order in range(max_order + 1)])
    orders, pixels, counts = [], [], []
    open_pixels = np.arange(12, dtype=np.int64)
    for order in range(max_order + 1):
        inside = np.isin(finest[order], open_pixels)
        pix_counts = np.bincount(np.searchsorted(open_pixels, finest[order][inside]), minlength=open_pixels.size)
        split = (pix_counts > max_entries_per_pixel) & (order < max_order)
        orders.append(np.full(int((~split).sum()), order))
        pixels.append(open_pixels[~split])
        counts.append(pix_counts[~split])
        if not split.any():
            break
        children = open_pixels[split][:, None] * 4 + np.arange(4)
        open_pixels = np.sort(children.ravel())
    orders, pixels, counts = np.concatenate(orders), np.concatenate(pixels), np.concatenate(counts)
    areas = pixel_area(orders)
    return MultiResolutionMap(orders, pixels, counts / (n * areas)), areas


def _compact_bits(v):
    """The even bits of v packed together (the inverse of _spread_bits)."""
    v = v.astype(np.int64)
    out = np.zeros_like(v)
    for bit in range(MAX_ORDER + 1):
        out |= ((v >> (2 * bit)) & 1) << bit
    return out


# HEALPix base pixels: the ring (in units of nside) and the longitude index of each face's corner
_FACE_RING = np.array([2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4])
_FACE_LONGITUDE = np.array([1, 3, 5, 7, 0, 2, 4, 6, 1, 3, 5, 7])


def pix2ang_nest(order, pixels):
    """(theta, phi) in radians of the centres of the NESTED pixels at nside = 2**order, the
    same numbers as healpy.pix2ang(2**order, pixels, nest=True)."""
    nside = 1 << int(order)
    pixels = np.asarray(pixels, dtype=np.int64)
    face = pixels >> (2 * int(order))
    local = pixels & ((1 << (2 * int(order))) - 1)
    ix, iy = _compact_bits(local), _compact_bits(local >> 1)
    ring = _FACE_RING[face] * nside - ix - iy - 1  # 1 .. 4 nside - 1 from the north pole
    north, south = ring < nside, ring > 3 * nside
    pixels_in_ring = np.where(north, ring, np.where(south, 4 * nside - ring, nside))
    # polar caps: 1 - |cos(theta)| = 2 sin^2(theta/2) = pixels_in_ring^2 / (3 nside^2), taken
    # through the half angle, which stays accurate at the poles where arccos would not
    cap = 2.0 * np.arcsin(pixels_in_ring / (np.sqrt(6.0) * nside))
    belt = np.arccos(np.clip((2 * nside - ring) * 2.0 / (3.0 * nside), -1.0, 1.0))
    theta = np.where(north, cap, np.where(south, np.pi - cap, belt))
    shift = np.where(north | south, 0, (ring - nside) & 1)
    jp = (_FACE_LONGITUDE[face] * pixels_in_ring + ix - iy + 1 + shift) // 2
    jp = np.where(jp > 4 * nside, jp - 4 * nside, np.where(jp < 1, jp + 4 * nside, jp))
    phi = (jp - 0.5 * (shift + 1)) * (0.5 * np.pi / pixels_in_ring)
    return theta, phi
