#!/usr/bin/env python3
"""Reference numbers of upstream's Lambert equal-area transforms for test_plotting.py.

jammy_flows is NOT part of this repository and this script does not install it; it is imported
from PYTHONPATH (a scratch checkout of github.com/thoglu/jammy_flows at cd400da). Run:
    PYTHONPATH=/tmp/jf /usr/bin/python3 gen_lambert.py lambert.json
(jammy_flows prints notices on stdout, so the numbers go to the file named by the argument).
"""

import json
import sys

import torch
from jammy_flows.helper_fns.grid_functions import cartesian_lambert_to_spherical, spherical_to_cartesian_lambert

points = torch.tensor([[0.3, 1.0], [1.2, 4.0], [2.9, 0.2], [1.6, 6.0]], dtype=torch.float64)
fix_point = torch.tensor([1.1, 2.5], dtype=torch.float64)
lambert_points = torch.tensor([[0.3, -0.4], [1.5, 0.2]], dtype=torch.float64)
reference = {
    "points": points.tolist(),
    "fix_point": fix_point.tolist(),
    "lambert": spherical_to_cartesian_lambert(points.clone()).tolist(),
    "lambert_fixed": spherical_to_cartesian_lambert(points.clone(), fix_point=fix_point).tolist(),
    "lambert_points": lambert_points.tolist(),
    "back_fixed": cartesian_lambert_to_spherical(lambert_points.clone(), fix_point=fix_point).tolist(),
}
with open(sys.argv[1], "w") as out:
    json.dump(reference, out, indent=1)
