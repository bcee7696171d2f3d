"""Writes healpy_nested.json, the reference numbers of healpix_test.go, with healpy (nest=True).

healpy is a test-only reference and not a dependency of gojammy; to regenerate:
    python3 -m venv /tmp/hpvenv && /tmp/hpvenv/bin/pip install healpy numpy
    /tmp/hpvenv/bin/python make_fixture.py
"""
import json

import healpy
import numpy as np

rng = np.random.default_rng(20261203)
out = {"healpy_version": healpy.__version__, "maps": []}
for order in [0, 1, 2, 3, 6, 10, 13]:
    nside = 2**order
    npix = 12 * nside * nside
    pix = np.unique(np.concatenate([
        np.arange(min(npix, 48)),
        npix - 1 - np.arange(min(npix, 16)),
        np.arange(12) * nside * nside,  # first pixel of each face
        (np.arange(12) + 1) * nside * nside - 1,  # last pixel of each face
        rng.integers(0, npix, 150),
    ]))
    theta, phi = healpy.pix2ang(nside, pix, nest=True)
    # points: uniform on the sphere plus points close to the poles and to ring boundaries
    z = np.concatenate([rng.uniform(-1, 1, 150), 1 - 10.0 ** rng.uniform(-12, 0, 25), -1 + 10.0 ** rng.uniform(-12, 0, 25),
                        2 / 3 + rng.uniform(-1e-3, 1e-3, 20), -2 / 3 + rng.uniform(-1e-3, 1e-3, 20)])
    pth = np.arccos(np.clip(z, -1, 1))
    pph = rng.uniform(0, 2 * np.pi, len(pth))
    ppix = healpy.ang2pix(nside, pth, pph, nest=True)
    cpix = pix[:: max(1, len(pix) // 20)]
    corners = healpy.boundaries(nside, cpix, step=1, nest=True)  # (n, 3, 4)
    out["maps"].append({
        "nside": nside,
        "pixel_area": healpy.nside2pixarea(nside),
        "pix": pix.tolist(), "theta": theta.tolist(), "phi": phi.tolist(),
        "point_theta": pth.tolist(), "point_phi": pph.tolist(), "point_pix": ppix.tolist(),
        "corner_pix": cpix.tolist(),
        "corner_vec": np.transpose(corners, (0, 2, 1)).reshape(len(cpix), 12).tolist(),
    })
with open("healpy_nested.json", "w") as f:
    json.dump(out, f)
