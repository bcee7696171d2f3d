"""A conditional fit (issue 9): x ~ N(mu(c), sigma(c)) with nonlinear mu and sigma, and a direction
on S2 drawn from a von Mises-Fisher distribution whose concentration depends on c. The fitted
conditional PDF's held-out log-likelihood must come within 0.05 nats of the true conditional
density's."""

import numpy as np

import gojammy


def draw(n, rng):
    """Events (x, θ, φ), conditional inputs c and the true conditional log-density (per dθ dφ)."""
    c = rng.uniform(-1, 1, size=(n, 1))
    mu, sigma = np.sin(2 * c[:, 0]), 0.2 + 0.3 * np.abs(c[:, 0])
    x = mu + sigma * rng.normal(size=n)
    kappa = np.exp(1.5 + 1.5 * c[:, 0])
    # vMF around the z axis: cos θ by inverting its CDF, φ uniform
    cos_t = 1 + np.log1p(-rng.uniform(size=n) * -np.expm1(-2 * kappa)) / kappa
    theta, phi = np.arccos(np.clip(cos_t, -1, 1)), rng.uniform(0, 2 * np.pi, size=n)
    log_vmf = np.log(kappa) - np.log(2 * np.pi * -np.expm1(-2 * kappa)) + kappa * (cos_t - 1) + np.log(np.sin(theta))
    log_normal = -0.5 * ((x - mu) / sigma) ** 2 - np.log(sigma) - 0.5 * np.log(2 * np.pi)
    return np.column_stack([x, theta, phi]), c, log_normal + log_vmf


def test_conditional_fit_reaches_the_true_density():
    rng = np.random.default_rng(0)
    train, c_train, _ = draw(20000, rng)
    val, c_val, _ = draw(5000, rng)
    test, c_test, truth = draw(5000, rng)
    pdf = gojammy.pdf("e1+s2", "gggg+fff", conditional_input_dim=1, seed=1)
    pdf.fit(train, conditional_input=c_train, epochs=10, batch_size=256, learning_rate=3e-3,
            validation_data=(val, c_val), progress=False, seed=2)
    held_out = pdf(test, c_test)[0].mean()
    assert held_out > truth.mean() - 0.05, (held_out, truth.mean())
