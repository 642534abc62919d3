"""Fits the polynomial coefficients of erf.c's vector erf (run with python3; needs numpy only).

erf(x) for |x| < A:  x * P(x^2)                         P: degree 5, fitted to erf(x)/x
erf(x) for |x| >= A: 1 - exp(-x^2) * R(1/x)              R: degree 9, fitted to erfc(x) * exp(x^2)
Both are weighted least-squares fits (relative error) on Chebyshev nodes, in float64 against
Python's math.erf / math.erfc. The script prints the C literals and the float32 error it expects.
"""
import math
import numpy as np

A = 0.921875   # region split
B = 4.0        # erfc(4) = 1.5e-8 < half an ulp of 1.0f: erf rounds to 1 beyond


def cheb(a, b, n):
    k = np.arange(n)
    return (a + b) / 2 + (b - a) / 2 * np.cos(np.pi * (k + 0.5) / n)


def fit(u, y, deg):
    v = np.vander(u, deg + 1, increasing=True)
    w = 1 / np.abs(y)
    c, *_ = np.linalg.lstsq(v * w[:, None], y * w, rcond=None)
    return c


x1 = cheb(0, A, 400)
p = fit(x1 * x1, np.array([math.erf(x) / x for x in x1]), 5)
x2 = cheb(A, B, 600)
r = fit(1 / x2, np.array([math.erfc(x) * math.exp(x * x) for x in x2]), 9)

for name, c in (("P", p), ("R", r)):
    print(f"// {name}, lowest degree first")
    print(", ".join(f"{v:.9e}f" for v in c))

xt = np.linspace(A, B, 20001)
rel = max(abs(np.polyval(r[::-1], 1 / x) - math.erfc(x) * math.exp(x * x)) / (math.erfc(x) * math.exp(x * x))
          for x in xt)
print("R relative error (float64):", rel)
