"""IR drop: the crossbar as a resistive network, solved exactly or to first order.

Network of one tile (forward read): row i is driven by a source V_i through one wire
segment r and runs past its cells (i, 0) … (i, C−1) (open far end); column j runs from
cell (0, j) down to cell (R−1, j) and one more segment r into a sense amplifier held at
0 V (virtual ground); cell (i, j) of conductance G_ij joins row node (i, j) to column
node (i, j). The column currents are linear in the inputs, I = G_effᵀ V, so the wires
are folded once into an effective conductance matrix G_eff (R, C) per programmed tile;
reads then cost one matrix product.

- :func:`solve` — exact: Kirchhoff's laws for all 2·R·C node voltages, solved by
  preconditioned conjugate gradients (the system is symmetric positive definite); the
  preconditioner solves every row wire and every column wire exactly (tridiagonal,
  LAPACK ``gttrf``/``gttrs``), so iterations stay few while r·G·N² is moderate.
- :func:`effective` — exact, for every input at once: each row's own wire is folded
  into its column nodes (a Schur complement, C×C per row), which leaves a
  block-tridiagonal system along the columns with the other rows coupled only through
  the column wire segments; one forward sweep of block elimination (Cholesky of one C×C
  block per row) carries every input to the sense amplifiers. O(R·C³ + R²·C²): a
  256×256 tile in well under a second, the same currents as :func:`solve` to ~1e-10.
- :func:`approximate` — first order in r, resummed: G_eff = G ⊙ 1/(1 + a + b), with
  a_ij·V_i the drop along row i and b_ij the rise along column j that the ideal currents
  cause (cumulative sums, O(R·C)). It agrees with the exact solve to first order in
  r·G·N²; the resummation 1/(1 + x) instead of 1 − x keeps it positive and about ten
  times closer (≈ 0.2 % of the column currents at r·G·N² ≈ 0.1, ≈ 1.5 % at 0.3, ≈ 9 %
  at 1.1 for uniform inputs). Use the exact solve beyond r·G·N² ≈ 0.3.

Transposed reads (columns driven from the sense end, rows sensed at the driver end) are
the same problem on the tile flipped and transposed: ``transposed=True``. Every terminal is
either driven or held at 0 V in both directions, so by reciprocity of the passive network
the transposed effective matrix equals the forward one (the tests check it); a crossbar
read both ways needs one effective matrix.
"""

from __future__ import annotations

import numpy as np
from scipy import linalg
from scipy.linalg import lapack
from threadpoolctl import threadpool_limits

from ..errors import ValueRangeError

__all__ = ["solve", "effective", "approximate", "IR_MODES"]

IR_MODES = ("exact", "approximate", "off")


def _check(G, r):
    G = np.asarray(G, dtype=np.float64)
    if G.ndim != 2:
        raise ValueRangeError(f"a conductance array of shape {G.shape}", "a 2-D tile (rows, cols)",
                              "Pass one tile at a time.")
    if not (np.isfinite(r) and r >= 0):
        raise ValueRangeError(f"wire_resistance = {r!r}", "a resistance ≥ 0 (Ω)",
                              "Fix the circuit card.")
    if np.any(G < 0) or not np.all(np.isfinite(G)):
        raise ValueRangeError("negative or non-finite conductances", "G ≥ 0 (S)",
                              "Conductances are non-negative.")
    return G


class _Network:
    """Operator and preconditioner of one tile's nodal equations (forward read)."""

    def __init__(self, G: np.ndarray, r: float):
        self.G, self.gw = G, 1.0 / r
        R, C = G.shape
        self.R, self.C = R, C
        gw = self.gw
        # row wires: tridiagonal along j (row-major flattening)
        dr = gw * np.where(np.arange(C) < C - 1, 2.0, 1.0)[None, :] + G
        # column wires: tridiagonal along i (column-major flattening)
        dc = gw * np.where(np.arange(R) > 0, 2.0, 1.0)[:, None] + G
        self.dr, self.dc = dr, dc
        off_r = np.full((R, C), -gw)
        off_r[:, -1] = 0.0  # no coupling between the end of one row and the next row
        off_c = np.full((C, R), -gw)
        off_c[:, -1] = 0.0
        self.fr = self._factor(dr.ravel(), off_r.ravel()[:-1])
        self.fc = self._factor(dc.T.ravel(), off_c.ravel()[:-1])

    @staticmethod
    def _factor(d, e):
        dl, d_, du, du2, ipiv, info = lapack.dgttrf(e.copy(), d.copy(), e.copy())
        if info != 0:
            raise ValueRangeError("a singular wire network", "a solvable network",
                                  "Check the conductances and the wire resistance.")
        return dl, d_, du, du2, ipiv

    @staticmethod
    def _solve(f, B):
        X, info = lapack.dgttrs(*f[:3], f[3], f[4], B)
        return X

    def matvec(self, u, w):
        """A [u; w] for node voltages u, w of shape (R, C, k)."""
        gw, G = self.gw, self.G[..., None]
        Au = self.dr[..., None] * u
        Au[:, 1:] -= gw * u[:, :-1]
        Au[:, :-1] -= gw * u[:, 1:]
        Aw = self.dc[..., None] * w
        Aw[1:] -= gw * w[:-1]
        Aw[:-1] -= gw * w[1:]
        return Au - G * w, Aw - G * u

    def precondition(self, ru, rw):
        R, C, k = ru.shape
        zu = self._solve(self.fr, ru.reshape(R * C, k)).reshape(R, C, k)
        rwT = np.ascontiguousarray(rw.transpose(1, 0, 2)).reshape(C * R, k)
        zw = self._solve(self.fc, rwT).reshape(C, R, k).transpose(1, 0, 2)
        return zu, zw


def _pcg(net: _Network, V: np.ndarray, rtol: float, max_iter: int):
    """Node voltages (R, C, k) for k input vectors V (R, k) by block-diagonal PCG."""
    R, C = net.R, net.C
    k = V.shape[1]
    bu = np.zeros((R, C, k))
    bu[:, 0, :] = net.gw * V
    bw = np.zeros((R, C, k))
    u, w = net.precondition(bu, bw)  # the wires alone: a good start
    Au, Aw = net.matvec(u, w)
    ru, rw = bu - Au, bw - Aw
    zu, zw = net.precondition(ru, rw)
    pu, pw = zu.copy(), zw.copy()
    rz = np.einsum("rck,rck->k", ru, zu) + np.einsum("rck,rck->k", rw, zw)
    # converge relative to the ideal cell currents (G·V), not to the wire-scale sources g_w·V
    bnorm = np.sqrt(np.einsum("rc,rk->k", net.G ** 2, V ** 2)) + 1e-300
    for _ in range(max_iter):
        res = np.sqrt(np.einsum("rck,rck->k", ru, ru) + np.einsum("rck,rck->k", rw, rw))
        if np.all(res <= rtol * bnorm):
            return u, w
        Apu, Apw = net.matvec(pu, pw)
        pAp = np.einsum("rck,rck->k", pu, Apu) + np.einsum("rck,rck->k", pw, Apw)
        alpha = rz / np.where(pAp > 0, pAp, 1.0)
        u += alpha * pu
        w += alpha * pw
        ru -= alpha * Apu
        rw -= alpha * Apw
        zu, zw = net.precondition(ru, rw)
        rz_new = np.einsum("rck,rck->k", ru, zu) + np.einsum("rck,rck->k", rw, zw)
        beta = rz_new / np.where(rz > 0, rz, 1.0)
        rz = rz_new
        pu = zu + beta * pu
        pw = zw + beta * pw
    raise ValueRangeError(f"an IR-drop solve that did not converge in {max_iter} iterations",
                          f"a relative residual below {rtol:g}",
                          "The wires dominate the cells (r·G·N² ≫ 1): use a smaller tile or "
                          "wire resistance, or raise max_iter.")


def _orient(G, transposed):
    return G[::-1, ::-1].T if transposed else G


def solve(G, r: float, V, *, transposed: bool = False, rtol: float = 1e-10,
          max_iter: int = 2000) -> np.ndarray:
    """Exact output currents (A) of one tile for inputs V (V).

    Forward: ``G`` (R, C), ``V`` (R,) or (R, k) -> column currents (C,) or (C, k).
    Transposed: ``V`` (C, ...) on the columns -> row currents (R, ...).
    """
    G = _check(G, r)
    V = np.asarray(V, dtype=np.float64)
    vec = V.ndim == 1
    V2 = V[:, None] if vec else V
    H = _orient(G, transposed)
    V2 = V2[::-1] if transposed else V2
    if r == 0:
        I = H.T @ V2
    else:
        net = _Network(np.ascontiguousarray(H), r)
        _, w = _pcg(net, V2, rtol, max_iter)
        I = net.gw * w[-1]
    I = I[::-1] if transposed else I
    return I[:, 0] if vec else I


def effective(G, r: float, *, transposed: bool = False) -> np.ndarray:
    """Exact effective conductances (R, C): I_out = Σ_in G_eff · V_in for every input.

    Forward: I_j = Σ_i G_eff[i, j] V_i. Transposed: I_i = Σ_j G_eff[i, j] V_j.
    ``G`` (R, C) in S, ``r`` in Ω; a direct solve (block elimination, see the module
    docstring), not an iteration.
    """
    G = _check(G, r)
    if r == 0:
        return G.copy()
    H = _orient(G, transposed)
    # one BLAS thread: the C×C Cholesky inverses are too small to share; threaded
    # OpenBLAS took 2.9 s instead of 1.4 s for 256×256, and minutes on a loaded machine
    with threadpool_limits(limits=1, user_api="blas"):
        E = _fold_rows(np.ascontiguousarray(H), 1.0 / r)  # forward G_eff of H
    return E[::-1, ::-1].T if transposed else E


def _fold_rows(G: np.ndarray, gw: float) -> np.ndarray:
    """Forward effective conductances (R, C) of one tile by block elimination.

    Row i's nodes u_i obey T_i u_i = g_w V_i e_0 + G_i ⊙ w_i, with T_i the tridiagonal
    row-wire matrix (diagonal 2 g_w + G_ij, g_w + G_i,C−1 at the open end; −g_w off the
    diagonal). Eliminating u_i leaves, for the column nodes w_i (C,),
    S_i w_i − g_w (w_{i−1} + w_{i+1}) = b_i V_i with S_i = diag(dc_i) − diag(G_i) T_i⁻¹
    diag(G_i) and b_i = g_w G_i ⊙ T_i⁻¹ e_0. The forward sweep P_0 = S_0,
    P_i = S_i − g_w² P_{i−1}⁻¹ and Q_i = B_i + g_w P_{i−1}⁻¹ Q_{i−1} (B_i: b_i in
    column i of a C × R right-hand side, one column per input) ends at the sense row:
    w_{R−1} = P_{R−1}⁻¹ Q_{R−1}, and the currents into the sense amplifiers are
    g_w · w_{R−1}. Every P_i is a Schur complement of the symmetric positive definite
    nodal matrix, hence SPD (Cholesky, then its inverse). Only the columns of Q that
    already hold an input are carried (columns ≤ i at row i).
    """
    R, C = G.shape
    theta, phi = _tridiagonal_minors(gw * np.where(np.arange(C) < C - 1, 2.0, 1.0) + G, gw)
    upper = np.triu(np.ones((C, C), bool))
    P = None
    Q = np.zeros((C, R))
    for i in range(R):
        # T_i⁻¹[j, k] = g_w^(k−j) θ_(j−1) φ_(k+1) / θ_C (j ≤ k; symmetric), scaled by g_w
        half = np.outer(theta[i, :C], phi[i, 1:]) / (gw * theta[i, C])
        Tinv = np.where(upper, half, half.T)
        dc = gw * (2.0 if i > 0 else 1.0) + G[i]
        S = -(G[i][:, None] * Tinv * G[i][None, :])
        S[np.diag_indices(C)] += dc
        b = gw * G[i] * Tinv[:, 0]
        if P is not None:
            Pinv = _spd_inverse(P)
            S -= gw * gw * Pinv
            Q[:, :i] = gw * (Pinv @ Q[:, :i])
        P = S
        Q[:, i] = b
    return (gw * (_spd_inverse(P) @ Q)).T  # (R inputs, C outputs)


def _tridiagonal_minors(d: np.ndarray, gw: float) -> tuple[np.ndarray, np.ndarray]:
    """Leading and trailing principal minors of T/g_w (diagonal d/g_w, −1 off it) for
    every row at once: θ (R, C+1) with θ_0 = 1, θ_k = t_k θ_(k−1) − θ_(k−2), and φ
    (R, C+1) from the other end (φ_C = 1); every t_k ≥ 2, so both grow monotonically
    (no cancellation, no overflow for tiles of thousands of cells)."""
    t = d / gw
    R, C = t.shape
    theta = np.empty((R, C + 1))
    phi = np.empty((R, C + 1))
    theta[:, 0] = 1.0
    theta[:, 1] = t[:, 0]
    for k in range(2, C + 1):
        theta[:, k] = t[:, k - 1] * theta[:, k - 1] - theta[:, k - 2]
    phi[:, C] = 1.0
    phi[:, C - 1] = t[:, C - 1]
    for k in range(C - 2, -1, -1):
        phi[:, k] = t[:, k] * phi[:, k + 1] - phi[:, k + 2]
    return theta, phi


def _spd_inverse(P: np.ndarray) -> np.ndarray:
    """Inverse of a symmetric positive definite matrix (Cholesky, LAPACK potrf/potri)."""
    c, info = lapack.dpotrf(P, lower=False, clean=False, overwrite_a=False)
    if info == 0:
        inv, info = lapack.dpotri(c, lower=False, overwrite_c=True)
    if info != 0:
        raise ValueRangeError("a singular wire network", "a solvable network",
                              "Check the conductances and the wire resistance.")
    return np.triu(inv) + np.triu(inv, 1).T


def approximate(G, r: float, *, transposed: bool = False) -> np.ndarray:
    """First-order effective conductances (..., R, C) of tiles G (..., R, C)."""
    G = np.asarray(G, dtype=np.float64)
    if r == 0:
        return G.copy()
    H = np.swapaxes(G[..., ::-1, ::-1], -1, -2) if transposed else G
    S = np.cumsum(H[..., ::-1], axis=-1)[..., ::-1]  # current through each row segment
    a = np.cumsum(S, axis=-1)
    a *= r
    Ccum = np.cumsum(H, axis=-2, out=S[..., ::-1])  # current through each column segment
    b = np.cumsum(Ccum[..., ::-1, :], axis=-2)[..., ::-1, :]
    b *= r
    a += 1.0  # 1 + a + b, in that order; few fresh arrays (see drift.py)
    a += b
    E = np.divide(H, a, out=a)
    return np.swapaxes(E, -1, -2)[..., ::-1, ::-1] if transposed else E
