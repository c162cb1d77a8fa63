"""float32 emulations used by the probes (numpy, one rounding per operation, no FMA).

Written for qbn4j from the public descriptions of the x86 VRSQRTPS estimate (measured table in
../../../shared/data, or any file of that format) and of Eigen's plog_float; no TensorFlow code.
"""
import numpy as np

F = np.float32


def load_rsqrtps_table(path):
    """Returns two uint32 arrays of 2^23 entries (parity 0: x in [1,2); parity 1: x in [2,4))."""
    runs = {0: [], 1: []}
    with open(path) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            p, start, bits = line.split()
            runs[int(p)].append((int(start), int(bits, 16)))
    tables = []
    for p in (0, 1):
        t = np.empty(1 << 23, dtype=np.uint32)
        rs = runs[p]
        for i, (start, bits) in enumerate(rs):
            end = rs[i + 1][0] if i + 1 < len(rs) else 1 << 23
            t[start:end] = bits
        tables.append(t)
    return tables


def rsqrtps(x, tables):
    """VRSQRTPS estimate for positive normal float32 x (array), by scale invariance."""
    bits = x.view(np.uint32)
    e = (bits >> 23).astype(np.int64) - 127
    parity = e & 1
    half = (e - parity) // 2
    mant = (bits & 0x7FFFFF).astype(np.int64)
    est = np.where(parity == 0, tables[0][mant], tables[1][mant]).astype(np.int64)
    return (est - (half << 23)).astype(np.uint32).view(np.float32)


def newton_tf212(x, r):
    """r * (1.5 + (-0.5*r)*(x*r)), each operation rounded (TF 2.12 / older Eigen)."""
    return r * ((F(-0.5) * r) * (x * r) + F(1.5))


def newton_tf215(x, r):
    """h = (x*r)*r - 1; y = (r*-0.5)*h + r, each operation rounded (newer Eigen)."""
    h = (x * r) * r - F(1.0)
    return (r * F(-0.5)) * h + r


SQRT_HALF = F(0.707106781186547524)
P1, P2, P3 = F(1.0000000190281136), F(1.0000000190281063), F(0.18256296349849254)
Q1, Q2, Q3 = F(1.4999999999999927), F(0.59923249590823520), F(0.049616247954120038)
LN2 = F(0.6931471805599453)


def plog_float(x):
    """Eigen plog_float as compiled into TF 2.12 (AVX, no FMA); positive normal x only."""
    bits = x.view(np.uint32)
    e = ((bits >> 23).astype(np.int32) - 126).astype(np.float32)
    m = ((bits & np.uint32(0x807FFFFF)) | np.uint32(0x3F000000)).view(np.float32)
    t = m - F(1)
    small = m < SQRT_HALF
    e = np.where(small, e - F(1), e)
    t = np.where(small, t + m, t)
    p = t * P3 + P2
    p = t * p + P1
    p = t * p
    q = t * Q3 + Q2
    q = t * q + Q1
    q = t * q + F(1)
    r = p / q
    return e * LN2 + r
