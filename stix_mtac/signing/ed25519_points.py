"""Which 32-byte strings are acceptable Ed25519 public keys: decoding per RFC 8032 5.1.3.

A key that is a small-order point (one of the 8 points of order 1, 2, 4 or 8, under any of
its encodings) makes the verification equation hold for signatures made without any private
key, so a keyring holding one would accept a forged signature on any bundle. Non-canonical
encodings (y not reduced mod p, a sign bit on x = 0) and strings that are not on the curve
are refused too: a trusted key has exactly one spelling. Pure integer arithmetic on the
curve; nothing secret passes through here, so constant time does not matter.
"""

from __future__ import annotations

P = 2**255 - 19
D = (-121665 * pow(121666, P - 2, P)) % P
SQRT_MINUS_ONE = pow(2, (P - 1) // 4, P)
COFACTOR_DOUBLINGS = 3  # the cofactor is 8 = 2**3

Point = tuple[int, int]
IDENTITY: Point = (0, 1)


def decode_point(raw: bytes) -> Point:
    """The affine point ``raw`` encodes; ValueError if it encodes none, or not canonically."""
    if len(raw) != 32:
        raise ValueError(f"{len(raw)} bytes, an Ed25519 public key is 32")
    number = int.from_bytes(raw, "little")
    sign = number >> 255
    y = number & ((1 << 255) - 1)
    if y >= P:
        raise ValueError("non-canonical encoding (y is not reduced modulo p)")
    u = (y * y - 1) % P
    v = (D * y * y + 1) % P
    x = (u * pow(v, 3, P) * pow(u * pow(v, 7, P), (P - 5) // 8, P)) % P
    if (v * x * x - u) % P != 0:
        x = (x * SQRT_MINUS_ONE) % P
        if (v * x * x - u) % P != 0:
            raise ValueError("not a point on the Ed25519 curve")
    if x == 0 and sign:
        raise ValueError("non-canonical encoding (sign bit set on x = 0)")
    if x % 2 != sign:
        x = P - x
    return x, y


def _add(first: Point, second: Point) -> Point:
    """Edwards addition on -x^2 + y^2 = 1 + d x^2 y^2 (complete: no exceptional cases)."""
    x1, y1 = first
    x2, y2 = second
    t = D * x1 * x2 * y1 * y2 % P
    x3 = (x1 * y2 + y1 * x2) * pow(1 + t, P - 2, P) % P
    y3 = (y1 * y2 + x1 * x2) * pow(1 - t, P - 2, P) % P
    return x3, y3


def is_small_order(point: Point) -> bool:
    """Whether 8 * point is the identity (order 1, 2, 4 or 8)."""
    for _ in range(COFACTOR_DOUBLINGS):
        point = _add(point, point)
    return point == IDENTITY


def weak_key_problem(raw: bytes) -> str | None:
    """Why ``raw`` must not be trusted as an Ed25519 public key, or None if it may be."""
    try:
        point = decode_point(raw)
    except ValueError as exc:
        return str(exc)
    if is_small_order(point):
        return (
            "a small-order point (a weak key: signatures made without any private key would "
            "verify against it)"
        )
    return None
