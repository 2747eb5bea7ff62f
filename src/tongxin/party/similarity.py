"""Copy-paste detection for meeting minutes (会议记录) in Chinese.

Pure: no ORM, standard library only. The caller passes ``Document(id, org_id, text)`` values
and gets back the pairs whose texts are near-duplicates, most similar first.

How it works, and why:

1. **Normalise**: NFKC (full-width letters and digits become ASCII, ① becomes 1), keep only
   letters (汉字 included) and digits — whitespace, punctuation and symbols go, ASCII and CJK
   alike (,。、:;“”《》【】…) — and casefold. Re-spacing or re-punctuating a copy changes
   nothing.
2. **Shingles**: the set of overlapping ``k``-character substrings (``k = 5``). Chinese has no
   spaces, so characters, not words, are the unit; five characters is about two words.
   Similarity is the Jaccard index of two shingle sets.
3. **MinHash signatures by one-permutation hashing** (Li, Owen & Zhang 2012, with the
   densification of Shrivastava 2017): each shingle gets one 64-bit fingerprint; its top bits
   pick one of ``num_perm`` (128) bins and each bin keeps its smallest fingerprint; an empty
   bin borrows from the first non-empty bin in a fixed probe order. Two documents agree on a
   bin with probability close to their Jaccard index, as with 128 separate permutations, but
   each shingle is hashed once instead of 128 times: in pure Python that is the difference
   between about 0.3 ms and 19 ms a document (measured on 900-character texts), i.e. seconds
   rather than eight minutes for a year of minutes.
4. **Fingerprints**: a shingle's code points, packed into an integer (exact: 21 bits a
   character), are hashed by multiply-shift with a fixed odd multiplier; all windows of a
   document are computed at once on one big integer (``_fingerprints``), which is what makes
   step 3 cheap. Everything is deterministic: no use of Python's salted ``hash()`` of strings.
5. **LSH banding**: the signature is cut into ``bands`` bands of ``rows`` bins; documents
   that agree on a whole band become a candidate pair, with probability 1 − (1 − J^rows)^bands
   for a pair at Jaccard J. By default the banding is chosen from the threshold: the most
   selective (most rows, then ``bands = num_perm // rows``) that still makes a pair at the
   threshold a candidate with probability at least 99.9%. For 0.8 and 128 bins that is
   25 × 5 (3 bins unused): P = 0.99995 at 0.8, 55% at 0.5, 6% at 0.3, 0.8% at 0.2. The
   32 × 4 often quoted gives 23% at 0.3 and 5% at 0.2; minutes share so much boilerplate
   that most pairs of unrelated minutes sit at 0.1–0.25, and on the benchmark's corpus 32 × 4
   proposes about seven times as many candidates for no gain in recall.
6. **Checks**: for each candidate pair, the share of agreeing bins estimates its Jaccard
   index; a pair whose estimate is more than six standard deviations below the threshold is
   set aside (a pair exactly at the threshold is lost this way about once in a billion). The
   rest get the exact Jaccard index of their shingle sets, recomputed from the texts, and
   are reported if it is at or above ``threshold``. Banding and estimate only decide what is
   compared, never what is reported, so no pair is reported below the threshold.

So the search can miss a pair at or above the threshold (at 0.8, with probability about
5 in 100,000 for a pair exactly at 0.8, far less above), and never reports one below it.
Texts shorter than ``min_length`` (40) characters after normalisation are skipped: a few
words say too little to call a copy. Documents with identical normalised text are grouped
first, so a form pasted a thousand times costs one signature.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
import sys
import unicodedata
from array import array
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "CANDIDATE_PROBABILITY_AT_THRESHOLD",
    "DEFAULT_K",
    "DEFAULT_NUM_PERM",
    "DEFAULT_THRESHOLD",
    "ESTIMATE_MARGIN_SD",
    "MIN_LENGTH",
    "Document",
    "Match",
    "SearchResult",
    "banding_for",
    "find_near_duplicates",
    "jaccard",
    "normalise",
    "search_near_duplicates",
    "shingles",
    "text_similarity",
]

DEFAULT_THRESHOLD = 0.8
DEFAULT_K = 5
DEFAULT_NUM_PERM = 128
MIN_LENGTH = 40
CANDIDATE_PROBABILITY_AT_THRESHOLD = 0.999
# How many standard deviations below the threshold a signature's estimate may fall before
# the pair is set aside without an exact check: at six, a pair exactly at the threshold is
# lost about once in a billion.
ESTIMATE_MARGIN_SD = 6.0


@dataclass(frozen=True)
class Document:
    id: int
    org_id: int
    text: str


@dataclass(frozen=True)
class Match:
    """Two near-duplicate documents, ``a_id < b_id``; ``similarity`` is the exact Jaccard
    index of their shingle sets; ``same_org`` whether both belong to one organisation."""

    a_id: int
    b_id: int
    similarity: float
    same_org: bool


@dataclass(frozen=True)
class SearchResult:
    """The matches, and what the search did to find them (for benchmarks and logs)."""

    matches: list[Match]
    documents: int
    """Documents long enough to be compared."""
    skipped_short: list[int]
    """Ids of the documents too short to judge, in input order."""
    candidate_pairs: int
    """Pairs of distinct texts proposed by the banding and checked exactly."""
    bands: int
    rows: int


# --- Text ---------------------------------------------------------------------------------

# \W is "not a word character": punctuation, symbols and whitespace of every script; letters
# (汉字 included) and digits are word characters. The underscore is a word character in
# Python, so it is removed explicitly.
_NOT_TEXT = re.compile(r"[\W_]+")


def normalise(text: str) -> str:
    """NFKC, without whitespace and punctuation (ASCII and CJK), casefolded."""
    return _NOT_TEXT.sub("", unicodedata.normalize("NFKC", text)).casefold()


def shingles(text: str, k: int = DEFAULT_K) -> frozenset[str]:
    """The ``k``-character shingles of ``text`` after normalisation."""
    return _shingles_of_normalised(normalise(text), k)


def _shingles_of_normalised(normalised: str, k: int) -> frozenset[str]:
    return frozenset(normalised[i : i + k] for i in range(len(normalised) - k + 1))


def jaccard(a: frozenset[str] | set[str], b: frozenset[str] | set[str]) -> float:
    """|a ∩ b| / |a ∪ b|; two empty sets are identical (1.0)."""
    common = len(a & b)
    union = len(a) + len(b) - common
    return common / union if union else 1.0


def text_similarity(a: str, b: str, *, k: int = DEFAULT_K) -> float:
    """The exact Jaccard index of two texts' shingle sets (what ``Match.similarity`` is)."""
    return jaccard(shingles(a, k), shingles(b, k))


# --- Fingerprints and signatures ------------------------------------------------------------

_CODE_BITS = 21  # every Unicode code point is below 2**21


@dataclass(frozen=True)
class _Layout:
    """How ``_fingerprints`` lays out one window per fixed-width slot of a big integer."""

    key_bits: int  # a window's exact key: k code points, rounded up to 64-bit words
    slot_bits: int  # room for key * multiplier without carrying into the next slot
    multiplier: int  # odd, key_bits wide, fixed: the multiply-shift hash's parameter


@functools.cache
def _layout(k: int) -> _Layout:
    key_bits = -(-_CODE_BITS * k // 64) * 64
    seed = hashlib.shake_256(f"tongxin.party.similarity:{k}".encode()).digest(key_bits // 8)
    multiplier = int.from_bytes(seed, "little") | 1
    return _Layout(key_bits=key_bits, slot_bits=2 * key_bits, multiplier=multiplier)


def _fingerprints(normalised: str, k: int) -> list[int]:
    """The 64-bit fingerprint of every ``k``-character window of ``normalised``, in order.

    A window's key is ``sum(ord(c_j) << 21 * j)`` (exact, no collisions); its fingerprint is
    the multiply-shift hash ``((multiplier * key) mod 2**key_bits) >> (key_bits - 64)``.
    Doing that per window costs several Python operations each; instead every code point is
    put in its own ``slot_bits``-wide slot of one integer, the keys of all windows are built
    with ``k`` shifts and adds of that integer, and one multiplication hashes them all (no
    slot overflows into the next). The fingerprints are then read off the product's bytes.
    ``tests/party/test_similarity.py`` checks this against the per-window formula.
    """
    windows = len(normalised) - k + 1
    if windows <= 0:
        return []
    layout = _layout(k)
    slot_bytes = layout.slot_bits // 8
    code_units = normalised.encode("utf-32-le")
    slots = bytearray(slot_bytes * len(normalised))
    for byte in range(4):  # each code point's 4 little-endian bytes at the start of its slot
        slots[byte::slot_bytes] = code_units[byte::4]
    code_points = int.from_bytes(slots, "little")
    keys = code_points
    for offset in range(1, k):
        keys += (code_points >> (layout.slot_bits * offset)) << (_CODE_BITS * offset)
    product = keys * layout.multiplier
    words = array("Q")
    words.frombytes(product.to_bytes(slot_bytes * len(normalised), "little"))
    if sys.byteorder == "big":
        words.byteswap()
    words_per_slot = layout.slot_bits // 64
    top_word = layout.key_bits // 64 - 1  # bits key_bits-64 .. key_bits of the product
    return words[top_word : words_per_slot * windows : words_per_slot].tolist()


@functools.cache
def _probe_order(num_perm: int) -> tuple[tuple[int, ...], ...]:
    """For each bin, the fixed order in which an empty bin looks for a value to borrow."""

    def rank(bin_index: int, other: int) -> bytes:
        return hashlib.blake2b(f"{bin_index}:{other}".encode(), digest_size=8).digest()

    return tuple(
        tuple(sorted((p for p in range(num_perm) if p != b), key=lambda p, b=b: rank(b, p)))
        for b in range(num_perm)
    )


def _signature(unique_fingerprints: list[int], num_perm: int) -> list[int]:
    """One-permutation MinHash of a document's distinct fingerprints (in ascending order):
    the smallest fingerprint in each of ``num_perm`` bins (picked by the top bits), empty
    bins densified by borrowing."""
    shift = 64 - (num_perm.bit_length() - 1)
    # Largest first, so that the smallest of each bin is the one the dict keeps.
    smallest = {value >> shift: value for value in reversed(unique_fingerprints)}
    if len(smallest) == num_perm:
        return [smallest[b] for b in range(num_perm)]
    probes = _probe_order(num_perm)
    signature = []
    for b in range(num_perm):
        value = smallest.get(b)
        if value is None:
            value = next(smallest[p] for p in probes[b] if p in smallest)
        signature.append(value)
    return signature


# Signatures are kept packed, 32 bits a bin in one integer: comparing two is then one XOR
# and a count of zero words over contiguous memory, where two lists of 128 int objects
# scattered over the heap cost four times as long (cache misses). Two different bin values
# agree in their low 32 bits with probability 2**-32, which the exact check absorbs.
_WORD = next(code for code in "IL" if array(code).itemsize == 4)


def _pack(signature: list[int]) -> int:
    return int.from_bytes(
        array(_WORD, [value & 0xFFFFFFFF for value in signature]).tobytes(), "little"
    )


def _agreeing_bins(first: int, second: int, num_perm: int) -> int:
    return array(_WORD, (first ^ second).to_bytes(4 * num_perm, "little")).count(0)


@functools.cache
def _fewest_agreeing_bins(threshold: float, num_perm: int, shingles: int) -> int:
    """The fewest agreeing bins of two signatures for which a pair gets the exact check;
    ``shingles`` is the smaller text's number of distinct shingles.

    The share of agreeing bins estimates the Jaccard index J with a standard deviation of
    about sqrt(J(1 - J) / m), m the number of bins that hold a value of their own: nearly all
    of them for minutes of a few hundred characters, fewer for short texts, whose other bins
    hold borrowed copies that add no information (and, unevenly spread, up to a quarter more
    variance, hence the 1.25).
    """
    own_bins = num_perm * (1 - (1 - 1 / num_perm) ** shingles)
    spread = math.sqrt(threshold * (1 - threshold) * 1.25 / own_bins)
    return math.floor(max(0.0, threshold - ESTIMATE_MARGIN_SD * spread) * num_perm)


# --- Search -------------------------------------------------------------------------------


def banding_for(
    threshold: float,
    num_perm: int = DEFAULT_NUM_PERM,
    *,
    probability: float = CANDIDATE_PROBABILITY_AT_THRESHOLD,
) -> tuple[int, int]:
    """``(bands, rows)``: the most rows (fewest chance candidates) for which a pair exactly at
    ``threshold`` still becomes a candidate with at least ``probability``."""
    _check_parameters(threshold, DEFAULT_K, num_perm, None)
    for rows in range(num_perm, 0, -1):
        bands = num_perm // rows
        if 1 - (1 - threshold**rows) ** bands >= probability:
            return bands, rows
    return num_perm, 1


def _check_parameters(threshold: float, k: int, num_perm: int, bands: int | None) -> None:
    if not 0 < threshold <= 1:
        raise ValueError("相似度阈值应大于0且不超过1")
    if k < 1:
        raise ValueError("分片长度k应至少为1")
    if num_perm < 2 or num_perm & (num_perm - 1):
        raise ValueError("签名长度num_perm应为2的幂")
    if bands is not None and not 1 <= bands <= num_perm:
        raise ValueError("分段数bands应在1与签名长度num_perm之间")


def search_near_duplicates(
    docs: Iterable[Document],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    k: int = DEFAULT_K,
    num_perm: int = DEFAULT_NUM_PERM,
    bands: int | None = None,
    min_length: int = MIN_LENGTH,
) -> SearchResult:
    """Every pair of documents whose shingle sets have a Jaccard index of at least
    ``threshold``, with the counts of the search. See the module docstring for the method;
    ``bands=None`` chooses the banding from the threshold (``banding_for``)."""
    _check_parameters(threshold, k, num_perm, bands)
    if bands is None:
        bands, rows = banding_for(threshold, num_perm)
    else:
        rows = num_perm // bands

    # Group documents by normalised text: identical texts are compared once.
    texts: list[str] = []
    members: list[list[Document]] = []
    group_of_text: dict[str, int] = {}
    skipped: list[int] = []
    seen_ids: set[int] = set()
    for doc in docs:
        if doc.id in seen_ids:
            raise ValueError(f"会议记录编号重复:{doc.id}")
        seen_ids.add(doc.id)
        text = normalise(doc.text)
        if len(text) < max(min_length, k):
            skipped.append(doc.id)
            continue
        group = group_of_text.setdefault(text, len(texts))
        if group == len(texts):
            texts.append(text)
            members.append([])
        members[group].append(doc)

    # Banding: texts that agree on a whole band are candidates.
    buckets: list[dict[int, list[int]]] = [defaultdict(list) for _ in range(bands)]
    packed_signatures: list[int] = []
    sizes: list[int] = []  # distinct shingles per text
    for index, text in enumerate(texts):
        unique = sorted(set(_fingerprints(text, k)))
        signature = _signature(unique, num_perm)
        packed_signatures.append(_pack(signature))
        sizes.append(len(unique))
        for band, bucket in enumerate(buckets):
            # hash() of a tuple of ints is not salted: deterministic across runs. A collision
            # only adds a candidate, which the checks below reject.
            bucket[hash(tuple(signature[band * rows : (band + 1) * rows]))].append(index)
    count = len(texts)
    candidates: set[int] = set()  # first * count + second, first < second
    for bucket in buckets:
        for indexes in bucket.values():
            for position, first in enumerate(indexes):
                candidates.update(first * count + second for second in indexes[position + 1 :])
    del buckets

    # Check each candidate: first the signatures' estimate of its Jaccard index, then, for the
    # few that could reach the threshold, the exact index, which is what is reported.
    exact_shingles = functools.lru_cache(maxsize=256)(
        lambda index: _shingles_of_normalised(texts[index], k)
    )
    # (index, index): the documents sharing one normalised text, identical to each other.
    similar: list[tuple[int, int, float]] = [(index, index, 1.0) for index in range(count)]
    for pair in sorted(candidates):
        first, second = divmod(pair, count)
        agreeing = _agreeing_bins(packed_signatures[first], packed_signatures[second], num_perm)
        smaller = min(sizes[first], sizes[second])
        if agreeing < _fewest_agreeing_bins(threshold, num_perm, smaller):
            continue
        similarity = jaccard(exact_shingles(first), exact_shingles(second))
        if similarity >= threshold:
            similar.append((first, second, similarity))

    matches: list[Match] = []
    for first, second, similarity in similar:
        if first == second:
            group = members[first]
            pairs = [(a, b) for i, a in enumerate(group) for b in group[i + 1 :]]
        else:
            pairs = [(a, b) for a in members[first] for b in members[second]]
        for a, b in pairs:
            low, high = (a, b) if a.id < b.id else (b, a)
            matches.append(
                Match(
                    a_id=low.id,
                    b_id=high.id,
                    similarity=similarity,
                    same_org=a.org_id == b.org_id,
                )
            )
    matches.sort(key=lambda m: (-m.similarity, m.a_id, m.b_id))
    return SearchResult(
        matches=matches,
        documents=sum(len(group) for group in members),
        skipped_short=skipped,
        candidate_pairs=len(candidates),
        bands=bands,
        rows=rows,
    )


def find_near_duplicates(
    docs: Iterable[Document],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    k: int = DEFAULT_K,
    num_perm: int = DEFAULT_NUM_PERM,
    bands: int | None = None,
    min_length: int = MIN_LENGTH,
) -> list[Match]:
    """The pairs of near-duplicate minutes, most similar first (ties by ids); each pair once,
    ``a_id < b_id``. Minutes shorter than ``min_length`` characters after normalisation are
    ignored."""
    return search_near_duplicates(
        docs, threshold=threshold, k=k, num_perm=num_perm, bands=bands, min_length=min_length
    ).matches
