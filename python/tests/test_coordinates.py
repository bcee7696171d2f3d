"""Coordinates: embedding flags, transform_target_space and the force_* flags. Euclidean and
interval sub-manifolds have identical coordinates everywhere; spheres differ by log sin θ."""

import pickle

import numpy as np
import pytest

import gojammy
from gojammy import _api
from gojammy._checks import coords_for
from models import points

FLAT = ("e2+i1_-1.0_2.0", "gg+r")
NAMES = ("default", "intrinsic", "embedding")


def sphere_pdf(pdf_defs="e1+s2", flow_defs="g+f", **kwargs):
    """A PDF with a sphere."""
    return gojammy.pdf(pdf_defs, flow_defs, **kwargs)


def sphere_angles(n, rng):
    """n (zenith, azimuth) points away from the poles."""
    return np.column_stack([rng.uniform(0.05, np.pi - 0.05, n), rng.uniform(0, 2 * np.pi, n)])


# ---------------------------------------------------------------- flags (all manifolds)


def test_flags_round_trip():
    pdf = gojammy.pdf(*FLAT)
    assert pdf.get_embedding_flags() == [False, False]
    pdf.set_embedding_flags(True, sub_pdf_index=1)
    assert pdf.get_embedding_flags() == [False, True]
    # the flags belong to the Python object; the library's handle keeps the flags it was built with
    assert pdf.describe()["embedding_flags"] == [False, False]
    assert pdf.total_target_dim == pdf.total_target_dim_intrinsic == pdf.total_target_dim_embedded == 3
    pdf.set_embedding_flags(True)
    assert pdf.get_embedding_flags() == [True, True]
    pdf.set_embedding_flags(False, 1)
    assert pdf.get_embedding_flags() == [True, False]
    pdf.set_embedding_flags(np.bool_(False))
    assert pdf.get_embedding_flags() == [False, False]


@pytest.mark.parametrize(
    "args, word",
    [(("yes",), "usement_flag"), ((2,), "usement_flag"), ((None,), "usement_flag"),
     ((True, 2), "sub_pdf_index"), ((True, -1), "sub_pdf_index"), ((True, 1.0), "sub_pdf_index"),
     ((True, True), "sub_pdf_index")],
)
def test_flag_argument_errors(args, word):
    pdf = gojammy.pdf(*FLAT)
    with pytest.raises(ValueError, match=word):
        pdf.set_embedding_flags(*args)
    assert pdf.get_embedding_flags() == [False, False]


def test_flags_survive_save_load_and_pickle(tmp_path):
    pdf = gojammy.pdf(*FLAT)
    pdf.set_embedding_flags(True, 0)
    pdf.save(tmp_path / "m.safetensors")
    for clone in (gojammy.load(tmp_path / "m.safetensors"), pickle.loads(pickle.dumps(pdf))):
        assert clone.get_embedding_flags() == [True, False]
        assert clone.total_target_dim == pdf.total_target_dim


def test_flags_on_a_closed_pdf():
    pdf = gojammy.pdf(*FLAT)
    pdf.close()
    with pytest.raises(gojammy.GojammyError, match="closed"):
        pdf.get_embedding_flags()
    with pytest.raises(gojammy.GojammyError, match="closed"):
        pdf.set_embedding_flags(True)


# ---------------------------------------------------------------- transforms (flat manifolds)


@pytest.mark.parametrize("frm", NAMES)
@pytest.mark.parametrize("to", NAMES)
def test_flat_transforms_are_identities(frm, to, rng):
    pdf = gojammy.pdf(*FLAT)
    x = points(pdf, 7, rng)
    y, log_det = pdf.transform_target_space(x, transform_from=frm, transform_to=to)
    assert np.array_equal(y, x) and y is not x
    assert log_det.shape == (7,) and np.array_equal(log_det, np.zeros(7))
    given = rng.normal(size=7)
    _, log_det = pdf.transform_target_space(x, log_det=given, transform_from=frm, transform_to=to)
    assert np.array_equal(log_det, given)


def test_transform_defaults_and_one_point(rng):
    pdf = gojammy.pdf(*FLAT)
    x = points(pdf, 1, rng)[0]
    y, log_det = pdf.transform_target_space(x, log_det=1.5)
    assert y.shape == (3,) and np.array_equal(y, x)
    assert log_det.shape == (1,) and log_det[0] == 1.5
    y, log_det = pdf.transform_target_space(np.zeros((0, 3)))
    assert y.shape == (0, 3) and log_det.shape == (0,)


def test_transform_argument_errors(rng):
    pdf = gojammy.pdf(*FLAT)
    x = points(pdf, 4, rng)
    with pytest.raises(ValueError, match="transform_from"):
        pdf.transform_target_space(x, transform_from="cartesian")
    with pytest.raises(ValueError, match="transform_to"):
        pdf.transform_target_space(x, transform_to=2)
    with pytest.raises(ValueError, match="target"):
        pdf.transform_target_space(x[:, :2])
    with pytest.raises(ValueError, match="log_det"):
        pdf.transform_target_space(x, log_det=np.zeros(3))


# ---------------------------------------------------------------- force_* flags


def test_force_flags_map_to_the_coordinate_names():
    assert coords_for(False, False) == "default"
    assert coords_for(False, True) == "intrinsic"
    assert coords_for(True, False) == "embedding"
    assert (_api.COORDS_SAVED, _api.COORDS_INTRINSIC, _api.COORDS_EMBEDDING, _api.COORDS_PER_SUB_MANIFOLD) == (0, 1, 2, 3)


def test_both_force_flags_rejected_everywhere(rng):
    pdf = gojammy.pdf(*FLAT)
    x = points(pdf, 2, rng)
    both = {"force_embedding_coordinates": True, "force_intrinsic_coordinates": True}
    for call in (lambda: pdf(x, **both), lambda: pdf.sample(samplesize=2, **both), lambda: pdf.log_pdf_and_grad(x, **both)):
        with pytest.raises(ValueError, match="cannot both be True"):
            call()


# ---------------------------------------------------------------- spheres


def test_sphere_flags_change_the_default_dimension(tmp_path):
    pdf = sphere_pdf()
    assert (pdf.total_target_dim, pdf.total_target_dim_intrinsic, pdf.total_target_dim_embedded) == (3, 3, 4)
    pdf.set_embedding_flags(True, 1)
    assert pdf.get_embedding_flags() == [False, True] and pdf.total_target_dim == 4
    samples, _, log_pdf, _ = pdf.sample(samplesize=50, seed=3)
    assert samples.shape == (50, 4)
    assert np.allclose(np.linalg.norm(samples[:, 1:], axis=1), 1, atol=1e-12)
    assert np.allclose(pdf(samples)[0], log_pdf, rtol=1e-9, atol=1e-9)
    with pytest.raises(ValueError, match=r"\(n, 4\)"):
        pdf(np.zeros((2, 3)))
    pdf.save(tmp_path / "m.safetensors")
    loaded = gojammy.load(tmp_path / "m.safetensors")
    assert loaded.get_embedding_flags() == [False, True] and loaded.total_target_dim == 4
    assert np.array_equal(loaded(samples)[0], pdf(samples)[0])
    pdf.set_embedding_flags(False)
    assert pdf.total_target_dim == 3 and pdf.sample(samplesize=5, seed=3)[0].shape == (5, 3)


def test_sphere_transform_round_trip(rng):
    pdf = sphere_pdf()
    ang = sphere_angles(40, rng)
    x = np.column_stack([rng.normal(size=40), ang])
    y, log_det = pdf.transform_target_space(x, transform_from="intrinsic", transform_to="embedding")
    theta, phi = ang[:, 0], ang[:, 1]
    expected = np.column_stack([x[:, 0], np.sin(theta) * np.cos(phi), np.sin(theta) * np.sin(phi), np.cos(theta)])
    assert np.allclose(y, expected, atol=1e-14)
    assert np.allclose(log_det, np.log(np.sin(theta)), atol=1e-14)
    back, log_det_sum = pdf.transform_target_space(y, log_det=log_det, transform_from="embedding", transform_to="intrinsic")
    assert np.allclose(back, x, atol=1e-12, rtol=0)
    assert np.max(np.abs(log_det_sum)) < 1e-12
    # default coordinates are intrinsic until the flag is set; then default -> embedding is exact
    assert np.array_equal(pdf.transform_target_space(x)[0], y)
    pdf.set_embedding_flags(True)
    same, zero = pdf.transform_target_space(y)
    assert np.array_equal(same, y) and np.array_equal(zero, np.zeros(40))
    one, one_log_det = pdf.transform_target_space(x[0], transform_from="intrinsic")
    assert one.shape == (4,) and np.array_equal(one, y[0]) and one_log_det.shape == (1,)


def test_sphere_density_in_embedding_coordinates(rng):
    pdf = sphere_pdf()
    p = pdf.get_parameters()
    pdf.set_parameters(p + 0.1 * np.random.default_rng(5).normal(size=p.size))
    x = np.column_stack([rng.normal(size=30), sphere_angles(30, rng)])
    y, log_det = pdf.transform_target_space(x, transform_to="embedding")
    intrinsic = pdf(x)[0]
    embedded = pdf(y, force_embedding_coordinates=True)[0]
    assert np.allclose(embedded, intrinsic - log_det, rtol=1e-10, atol=1e-10)
    # the same through the default coordinates once the flag is set
    pdf.set_embedding_flags(True, 1)
    assert np.allclose(pdf(y)[0], embedded, rtol=1e-12, atol=1e-12)
    assert np.allclose(pdf(x, force_intrinsic_coordinates=True)[0], intrinsic, rtol=1e-12, atol=1e-12)


def test_sphere_sampling_in_both_coordinates():
    pdf = sphere_pdf()
    xi, _, lp_i, _ = pdf.sample(samplesize=40, seed=11, force_intrinsic_coordinates=True)
    xe, _, lp_e, _ = pdf.sample(samplesize=40, seed=11, force_embedding_coordinates=True)
    y, log_det = pdf.transform_target_space(xi, transform_from="intrinsic", transform_to="embedding")
    assert np.allclose(xe, y, atol=1e-12)
    assert np.allclose(lp_e, lp_i - log_det, rtol=1e-10, atol=1e-10)


def test_circle_transform_has_zero_log_det(rng):
    pdf = sphere_pdf("s1", "m")
    phi = rng.uniform(0, 2 * np.pi, (20, 1))
    y, log_det = pdf.transform_target_space(phi)
    assert np.allclose(y, np.column_stack([np.cos(phi), np.sin(phi)]), atol=1e-14)
    assert np.array_equal(log_det, np.zeros(20))
    back, _ = pdf.transform_target_space(y, transform_from="embedding", transform_to="intrinsic")
    assert np.allclose(back, phi, atol=1e-12)


def test_flags_changing_while_other_threads_sample():
    """Sampling in default coordinates while another thread toggles the flags returns, for each
    seed, exactly the intrinsic or the embedding samples of that seed (each call takes one
    snapshot of the flags: no retries, no shape errors)."""
    import threading

    pdf = sphere_pdf()
    seeds = range(100)
    want = {
        (seed, dim): pdf.sample(samplesize=32, seed=seed, **{flag: True})[0]
        for seed in seeds
        for dim, flag in ((3, "force_intrinsic_coordinates"), (4, "force_embedding_coordinates"))
    }
    stop = threading.Event()
    results = []

    def toggle():
        k = 0
        while not stop.is_set():
            pdf.set_embedding_flags(k % 2 == 0, 1)
            k += 1

    def draw():
        results.extend((seed, pdf.sample(samplesize=32, seed=seed)[0]) for seed in seeds)

    toggler = threading.Thread(target=toggle)
    toggler.start()
    samplers = [threading.Thread(target=draw) for _ in range(2)]
    for t in samplers:
        t.start()
    for t in samplers:
        t.join()
    stop.set()
    toggler.join()
    assert len(results) == 200
    for seed, s in results:
        assert np.array_equal(s, want[seed, s.shape[1]])
    assert {s.shape[1] for _, s in results} == {3, 4}


def test_saved_flags_of_loaded_and_unpickled_models_are_their_defaults(tmp_path):
    """save/pickle record the Python object's current flags as the file's saved flags; a loaded
    model starts from them, and changing them on one object never affects another."""
    pdf = sphere_pdf()
    pdf.set_embedding_flags(True, 1)
    pdf.save(tmp_path / "m.safetensors")
    loaded = gojammy.load(tmp_path / "m.safetensors")
    assert loaded.describe()["embedding_flags"] == [False, True]
    assert loaded.describe()["dim"]["saved"] == 4
    loaded.set_embedding_flags(False)
    assert pdf.get_embedding_flags() == [False, True] and pdf.total_target_dim == 4
    pdf.set_embedding_flags(False)
    pdf.save(tmp_path / "again.safetensors")
    assert gojammy.load(tmp_path / "again.safetensors").get_embedding_flags() == [False, False]
