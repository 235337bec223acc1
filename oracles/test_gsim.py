"""GSIM (Francois & Hall 2003) linear multi-market model and the 4x4 US-EU FTA teaching case
(research report models-and-oracles.md §1.3 and §C-1).

Run: python oracles/test_gsim.py   (unittest; exit status non-zero on failure)

Written from the published percentage-change equations, importer v, exporter i:
    theta_iv = M_iv T0_iv / sum_i M_iv T0_iv          (shares at internal prices)
    phi_iv   = M_iv / sum_v M_iv                      (export shares at world prices)
    N_(iv,jv) = theta_jv (Em_v + Es) - [i = j] Es     (own: theta Em - (1-theta) Es)
    P^_iv = T^_iv + P*^_i,   T^ = T1/T0 - 1
    M^_iv = sum_j N_(iv,jv) P^_jv
    X^_i  = Ex_i P*^_i = sum_v phi_iv M^_iv           (market clearing; linear in P*^)
Welfare: composite P^c_v = sum_i theta_iv [(1+P*^_i) T1/T0 - 1];
    dCS_v = -R_v P^c - 1/2 Em R_v (P^c)^2 (textbook; R_v = sum_i M_iv T0_iv);
    the R transcription's form -R P^c + 1/2 Em R (P^c)^2 sign(P^c) is kept for legacy numbers;
    dPS_i = X_i P*^_i (1 + 1/2 Ex_i P*^_i);
    dTR_v = sum_i [M1_iv (T1_iv - 1) - M_iv (T0_iv - 1)],  M1 = M (1+M^)(1+P*^_i).
"""
from __future__ import annotations

import unittest

import numpy as np

REGIONS = ["US", "JP", "EU", "RW"]
# rows = exporter i, columns = importer v
M = np.array([[0, 50, 200, 300],
              [500, 0, 150, 200],
              [300, 100, 200, 200],
              [50, 100, 110, 20]], dtype=float)
T0 = np.array([[1, 1.21, 1.41, 1.22],
               [1.37, 1, 1.31, 1.23],
               [1.32, 1.36, 1, 1.18],
               [1.57, 1.41, 1.25, 1.15]], dtype=float)


def gsim(M, T0, T1, Em, Ex, Es):
    """Solve the linear GSIM; Em, Ex per region (arrays), Es scalar. Returns a dict of arrays."""
    n = M.shape[0]
    Em = np.broadcast_to(np.asarray(Em, float), (n,))
    Ex = np.broadcast_to(np.asarray(Ex, float), (n,))
    R = (M * T0).sum(axis=0)                         # spending at internal prices, by importer
    theta = np.divide(M * T0, R, out=np.zeros_like(M), where=R > 0)
    X = M.sum(axis=1)                                # exports at world prices, by exporter
    phi = np.divide(M, X[:, None], out=np.zeros_like(M), where=X[:, None] > 0)
    That = T1 / T0 - 1.0

    def N(i, j, v):
        return theta[j, v] * (Em[v] + Es) - (Es if i == j else 0.0)

    # sum_v phi_iv sum_j N(i,j,v) (That_jv + P_j) = Ex_i P_i
    A = np.zeros((n, n))
    b = np.zeros(n)
    for i in range(n):
        A[i, i] -= Ex[i]
        for v in range(n):
            if phi[i, v] == 0.0:
                continue
            for j in range(n):
                c = phi[i, v] * N(i, j, v)
                A[i, j] += c
                b[i] -= c * That[j, v]
    pstar = np.linalg.solve(A, b)

    Mhat = np.zeros_like(M)
    for i in range(n):
        for v in range(n):
            Mhat[i, v] = sum(N(i, j, v) * (That[j, v] + pstar[j]) for j in range(n))
    comp = (theta * ((1 + pstar)[:, None] * (T1 / T0) - 1.0)).sum(axis=0)
    cs = -R * comp - 0.5 * Em * R * comp ** 2
    cs_transcription = -R * comp + 0.5 * Em * R * comp ** 2 * np.sign(comp)
    ps = X * pstar * (1 + 0.5 * Ex * pstar)
    M1 = M * (1 + Mhat) * (1 + pstar)[:, None]
    tr = (M1 * (T1 - 1) - M * (T0 - 1)).sum(axis=0)
    return {"pstar": pstar, "Mhat": Mhat, "composite": comp, "cs": cs,
            "cs_transcription": cs_transcription, "ps": ps, "tr": tr, "w": cs + ps + tr,
            "w_transcription": cs_transcription + ps + tr, "A": A, "b": b}


def us_eu_fta():
    T1 = T0.copy()
    us, eu = REGIONS.index("US"), REGIONS.index("EU")
    T1[eu, us] = 1.0
    T1[us, eu] = 1.0
    return gsim(M, T0, T1, Em=-1.25, Ex=1.5, Es=5.0)


class GsimC1(unittest.TestCase):
    def setUp(self):
        self.r = us_eu_fta()

    def close(self, got, want, dp):
        self.assertEqual(len(got), len(want))
        for g, w in zip(got, want):
            self.assertAlmostEqual(float(g), w, delta=0.5 * 10 ** -dp + 1e-12, msg=f"{list(got)} vs {want}")

    def test_world_prices(self):
        self.close(self.r["pstar"], [0.0792, -0.0316, 0.0480, -0.0184], 4)

    def test_market_clearing(self):
        # the linear system is satisfied and every exporter's supply equals world demand
        r = self.r
        self.assertLess(np.max(np.abs(r["A"] @ r["pstar"] - r["b"])), 1e-12)
        X = M.sum(axis=1)
        phi = M / X[:, None]
        self.assertLess(np.max(np.abs((phi * r["Mhat"]).sum(axis=1) - 1.5 * r["pstar"])), 1e-12)

    def test_composite_prices(self):
        self.close(self.r["composite"], [-0.0903, 0.0259, -0.0800, 0.0369], 4)

    def test_producer_surplus(self):
        self.close(self.r["ps"], [46.1, -26.2, 39.8, -5.1], 1)

    def test_tariff_revenue(self):
        self.close(self.r["tr"], [-138.5, 0.6, -93.8, -2.9], 1)

    def test_consumer_surplus_textbook(self):
        self.close(self.r["cs"], [110.6, -8.6, 68.6, -31.4], 1)
        self.close(self.r["w"], [18.2, -34.2, 14.5, -39.3], 1)

    def test_consumer_surplus_transcription(self):
        self.close(self.r["cs_transcription"], [110.6, -8.9, 68.6, -32.9], 1)
        self.close(self.r["w_transcription"], [18.2, -34.5, 14.5, -40.8], 1)

    def test_no_change_no_effect(self):
        r = gsim(M, T0, T0.copy(), Em=-1.25, Ex=1.5, Es=5.0)
        self.assertLess(np.max(np.abs(r["pstar"])), 1e-15)
        self.assertLess(np.max(np.abs(r["w"])), 1e-12)


if __name__ == "__main__":
    unittest.main(verbosity=2)
