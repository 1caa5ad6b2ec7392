/* jgview._scan: find the lines of a buffer that contain any of a set of literals, and count lines.
 *
 * The fast reader of big inputs (jgview/fastscan.py) needs, for a gigabyte of log, the few thousand
 * lines that hold one of the catalogue's keywords, with their line numbers. This module does that in
 * one pass over the bytes, without the GIL, at several GB/s:
 *
 * - Each literal gets an *anchor*: two adjacent bytes of it, chosen to be rare in a sample of the
 *   input (bigram counts) while sharing anchors between literals where that costs little.
 * - SIMD (AVX-512BW or AVX2, picked at run time; a portable scalar loop otherwise) compares every
 *   position of a 64/32-byte block with every distinct anchor at once; the few positions where an
 *   anchor occurs are verified with memcmp against the literals of that anchor.
 * - Newlines are counted in the same pass. After a line is found to match, the rest of the line is
 *   skipped (one hit per line).
 *
 * Scanner(words, sample=b"", level=-1)
 *     words: sequence of bytes (2..255 bytes each, no newline); sample: bytes-like the anchors are
 *     chosen for; level: -1 best available, 0 scalar, 1 AVX2, 2 AVX-512BW (capped at what the CPU has).
 * Scanner.scan(buffer, start=0, end=-1, max_hits=-1) -> (hits, stop, lines)
 *     hits: list of (line index counted from start, offset where the line starts — not before start);
 *     stop: where the scan stopped (end, or the start of the line after the max_hits-th hit);
 *     lines: newlines in [start, stop). Matches lie within [start, end).
 * Scanner.read_scan(fd, offset, length, buffer, max_hits=-1) -> (hits, stop, lines, bytes read)
 *     pread(fd) into the writable buffer, then scan it; the GIL is released once for both.
 * Scanner.level, Scanner.anchors (list of (word, anchor offset)), Scanner.pairs (distinct anchors).
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(JGSCAN_NO_SIMD)
#include <immintrin.h>
#define JG_X86 1
#endif

#define MAX_WORDS 1024
#define MAX_WORD 255
#define MAX_PAIRS 96

typedef struct {
    PyObject_HEAD
    int nwords;
    unsigned char *words; /* nwords * MAX_WORD bytes */
    int *wlen;
    int *anc;            /* anchor offset in each word */
    int npairs;
    uint8_t pa[MAX_PAIRS], pb[MAX_PAIRS];
    int *plist_start;    /* npairs + 1 */
    int *plist;          /* words of each pair */
    int16_t *pair_of;    /* 65536: pair index of a bigram, or -1 */
    int level;
    uint8_t t1[128], t2[128]; /* level 3: group bits of anchors by first / second byte (7 bits) */
    int tables_ok;            /* every anchor byte is ASCII (the tables index 7 bits) */
    PyObject *words_obj;      /* tuple of the words (bytes) */
} Scanner;

typedef struct {
    Py_ssize_t *v;
    Py_ssize_t n, cap;
    int failed;
} HitVec;

static int hv_push(HitVec *h, Py_ssize_t line, Py_ssize_t start) {
    if (h->n + 2 > h->cap) {
        Py_ssize_t cap = h->cap ? h->cap * 2 : 1024;
        Py_ssize_t *v = realloc(h->v, (size_t)cap * sizeof(Py_ssize_t));
        if (!v) {
            h->failed = 1;
            return -1;
        }
        h->v = v;
        h->cap = cap;
    }
    h->v[h->n++] = line;
    h->v[h->n++] = start;
    return 0;
}

/* ---------------------------------------------------------------------------------------------- */
/* verification and the per-state bookkeeping shared by all loops */

typedef struct {
    const unsigned char *buf;
    Py_ssize_t start, end;
    Py_ssize_t nl;      /* newlines in [start, pos) */
    Py_ssize_t last_nl; /* offset of the last newline before pos, or start - 1 */
    Py_ssize_t hits, max_hits;
    HitVec *out;
} State;

/* Does a word whose anchor starts at j match? Its start, or -1. */
static inline Py_ssize_t verify(const Scanner *S, const State *st, Py_ssize_t j) {
    const unsigned char *buf = st->buf;
    int q = S->pair_of[buf[j] | (buf[j + 1] << 8)];
    if (q < 0) return -1;
    for (int t = S->plist_start[q]; t < S->plist_start[q + 1]; t++) {
        int k = S->plist[t];
        Py_ssize_t s = j - S->anc[k];
        if (s >= st->start && s + S->wlen[k] <= st->end &&
            memcmp(buf + s, S->words + (size_t)k * MAX_WORD, (size_t)S->wlen[k]) == 0)
            return s;
    }
    return -1;
}

/* Record a hit on the line containing j (line index and start known); move past its newline.
 * Returns the position to resume at (end when the line runs to the end). */
static inline Py_ssize_t take(State *st, Py_ssize_t j, Py_ssize_t line_idx, Py_ssize_t line_start) {
    if (hv_push(st->out, line_idx, line_start) < 0) return -1;
    st->hits++;
    const unsigned char *e = memchr(st->buf + j, '\n', (size_t)(st->end - j));
    if (!e) {
        st->nl = line_idx;
        return st->end;
    }
    st->nl = line_idx + 1;
    st->last_nl = e - st->buf;
    return st->last_nl + 1;
}

/* An anchor found at i + b by a SIMD loop whose block starts at i (its newlines: the bits of nlm).
 * Returns -2 when no word matches there, -1 when out of memory, else where to go on. */
static inline Py_ssize_t candidate(const Scanner *S, State *st, Py_ssize_t i, int b, uint64_t nlm) {
    Py_ssize_t j = i + b;
    if (verify(S, st, j) < 0) return -2;
    uint64_t before = nlm & (b ? (~0ull >> (64 - b)) : 0ull);
    Py_ssize_t line_idx = st->nl + __builtin_popcountll(before);
    Py_ssize_t line_start = before ? i + (63 - __builtin_clzll(before)) + 1 : st->last_nl + 1;
    return take(st, j, line_idx, line_start);
}

/* The candidates of one SIMD block (bits of cm): 1 when a line was taken (``*at``: where to go on),
 * 0 when none matched, -1 when out of memory, 2 when max_hits is reached (``*at``: where to stop). */
static inline int block(const Scanner *S, State *st, Py_ssize_t i, uint64_t cm, uint64_t nlm, Py_ssize_t *at) {
    while (cm) {
        int b = __builtin_ctzll(cm);
        cm &= cm - 1;
        Py_ssize_t r = candidate(S, st, i, b, nlm);
        if (r == -2) continue;
        if (r < 0) return -1;
        *at = r;
        return (st->max_hits >= 0 && st->hits >= st->max_hits) ? 2 : 1;
    }
    return 0;
}

/* After a block of ``width`` bytes at *i with candidate bits cm and newline bits nlm (what the SIMD
 * loops share): 1 when a line matched (*i: where to go on), 2 when max_hits was reached (*i: where
 * to stop), -1 on error; 0 when nothing matched (the block's newlines counted, *i past it). */
static inline int step(const Scanner *S, State *st, Py_ssize_t *i, uint64_t cm, uint64_t nlm, int width) {
    if (cm) {
        int r = block(S, st, *i, cm, nlm, i);
        if (r != 0) return r;
    }
    if (nlm) {
        st->nl += __builtin_popcountll(nlm);
        st->last_nl = *i + (63 - __builtin_clzll(nlm));
    }
    *i += width;
    return 0;
}

/* The scalar loop over [i, end): used for the tail of the SIMD loops and as the portable path. */
static Py_ssize_t scan_scalar(const Scanner *S, State *st, Py_ssize_t i) {
    const unsigned char *buf = st->buf;
    Py_ssize_t end = st->end;
    const int16_t *pair_of = S->pair_of;
    while (i < end) {
        unsigned char c = buf[i];
        if (c == '\n') {
            st->nl++;
            st->last_nl = i;
            i++;
            continue;
        }
        if (i + 1 < end && pair_of[c | (buf[i + 1] << 8)] >= 0 && verify(S, st, i) >= 0) {
            i = take(st, i, st->nl, st->last_nl + 1);
            if (i < 0) return -1;
            if (st->max_hits >= 0 && st->hits >= st->max_hits) return i;
            continue;
        }
        i++;
    }
    return i;
}

#ifdef JG_X86
__attribute__((target("avx2,bmi,popcnt,lzcnt"))) static Py_ssize_t scan_avx2(const Scanner *S, State *st) {
    const unsigned char *buf = st->buf;
    Py_ssize_t end = st->end;
    Py_ssize_t i = st->start;
    int np = S->npairs;
    __m256i A[MAX_PAIRS], B[MAX_PAIRS];
    for (int q = 0; q < np; q++) {
        A[q] = _mm256_set1_epi8((char)S->pa[q]);
        B[q] = _mm256_set1_epi8((char)S->pb[q]);
    }
    const __m256i NL = _mm256_set1_epi8('\n');
    while (i + 33 <= end) {
        __m256i v0 = _mm256_loadu_si256((const __m256i *)(buf + i));
        __m256i v1 = _mm256_loadu_si256((const __m256i *)(buf + i + 1));
        __m256i m = _mm256_setzero_si256();
        for (int q = 0; q < np; q++)
            m = _mm256_or_si256(m, _mm256_and_si256(_mm256_cmpeq_epi8(v0, A[q]), _mm256_cmpeq_epi8(v1, B[q])));
        uint32_t nlm = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v0, NL));
        uint32_t cm = (uint32_t)_mm256_movemask_epi8(m);
        int r = step(S, st, &i, cm, nlm, 32);
        if (r < 0) return -1;
        if (r == 2) return i;
    }
    return scan_scalar(S, st, i);
}

__attribute__((target("avx512f,avx512bw,bmi,bmi2,popcnt,lzcnt"))) static Py_ssize_t scan_avx512(const Scanner *S,
                                                                                                  State *st) {
    const unsigned char *buf = st->buf;
    Py_ssize_t end = st->end;
    Py_ssize_t i = st->start;
    int np = S->npairs;
    __m512i A[MAX_PAIRS], B[MAX_PAIRS];
    for (int q = 0; q < np; q++) {
        A[q] = _mm512_set1_epi8((char)S->pa[q]);
        B[q] = _mm512_set1_epi8((char)S->pb[q]);
    }
    const __m512i NL = _mm512_set1_epi8('\n');
    while (i + 65 <= end) {
        __m512i v0 = _mm512_loadu_si512((const void *)(buf + i));
        __m512i v1 = _mm512_loadu_si512((const void *)(buf + i + 1));
        /* u = min over anchors of (v0 ^ a) | (v1 ^ b): a zero byte where an anchor starts */
        __m512i u = _mm512_set1_epi8((char)0xff);
        for (int q = 0; q < np; q++) {
            __m512i x = _mm512_xor_si512(v0, A[q]);
            /* t = x | (v1 ^ B[q]): ternary logic on (x, v1, B[q]), truth table a | (b ^ c) = 0xF6 */
            __m512i t = _mm512_ternarylogic_epi32(x, v1, B[q], 0xF6);
            u = _mm512_min_epu8(u, t);
        }
        uint64_t cm = _mm512_cmpeq_epi8_mask(u, _mm512_setzero_si512());
        uint64_t nlm = _mm512_cmpeq_epi8_mask(v0, NL);
        int r = step(S, st, &i, cm, nlm, 64);
        if (r < 0) return -1;
        if (r == 2) return i;
    }
    return scan_scalar(S, st, i);
}

__attribute__((target("avx512f,avx512bw,avx512vbmi,bmi,bmi2,popcnt,lzcnt"))) static Py_ssize_t
scan_vbmi(const Scanner *S, State *st) {
    const unsigned char *buf = st->buf;
    Py_ssize_t end = st->end;
    Py_ssize_t i = st->start;
    /* 128-entry byte tables: permutex2var looks up the low 7 bits of each byte (bytes >= 128 alias
     * to ASCII ones: only more verification) */
    const __m512i T1lo = _mm512_loadu_si512((const void *)S->t1), T1hi = _mm512_loadu_si512((const void *)(S->t1 + 64));
    const __m512i T2lo = _mm512_loadu_si512((const void *)S->t2), T2hi = _mm512_loadu_si512((const void *)(S->t2 + 64));
    const __m512i NL = _mm512_set1_epi8('\n');
    while (i + 65 <= end) {
        __m512i v0 = _mm512_loadu_si512((const void *)(buf + i));
        __m512i v1 = _mm512_loadu_si512((const void *)(buf + i + 1));
        __m512i g0 = _mm512_permutex2var_epi8(T1lo, v0, T1hi);
        __m512i g1 = _mm512_permutex2var_epi8(T2lo, v1, T2hi);
        uint64_t cm = _mm512_test_epi8_mask(g0, g1);
        uint64_t nlm = _mm512_cmpeq_epi8_mask(v0, NL);
        int r = step(S, st, &i, cm, nlm, 64);
        if (r < 0) return -1;
        if (r == 2) return i;
    }
    return scan_scalar(S, st, i);
}
#endif

static int cpu_level(void) {
#ifdef JG_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("bmi2"))
        return __builtin_cpu_supports("avx512vbmi") ? 3 : 2;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi"))
        return 1;
#endif
    return 0;
}

/* ---------------------------------------------------------------------------------------------- */
/* anchors */

/* Cost model (in units of "work per input byte"): one more distinct anchor costs the SIMD loop a few
 * operations per block; a rare anchor costs a verification each time it occurs. */
#define PAIR_COST 0.15
#define VERIFY_COST 300.0

/* The byte-table filter (level 3) tests all anchors at once: t1[first byte] & t2[second byte] has
 * a bit for each of 8 groups of anchors that may start there. Within a group, a first byte of one
 * anchor with the second byte of another also passes (verified away, at a cost): groups are merged
 * greedily so that these aliased bigrams are as rare as possible in the sample. */
static void group_pairs(Scanner *S, const uint32_t *counts) {
    int np = S->npairs;
    int group[MAX_PAIRS];
    for (int q = 0; q < np; q++) group[q] = q;
    int ngroups = np;
    while (ngroups > 8) {
        double best = 1e300;
        int bg1 = -1, bg2 = -1;
        for (int g1 = 0; g1 < np; g1++) {
            for (int g2 = g1 + 1; g2 < np; g2++) {
                /* groups are named by their smallest member; skip names not in use */
                int used1 = 0, used2 = 0;
                for (int q = 0; q < np; q++) {
                    used1 |= group[q] == g1;
                    used2 |= group[q] == g2;
                }
                if (!used1 || !used2) continue;
                /* added aliases: first byte from one group, second from the other, not an anchor */
                double cost = 0;
                for (int q = 0; q < np; q++) {
                    if (group[q] != g1) continue;
                    for (int r = 0; r < np; r++) {
                        if (group[r] != g2) continue;
                        int x = S->pa[q] | (S->pb[r] << 8), y = S->pa[r] | (S->pb[q] << 8);
                        if (S->pair_of[x] < 0) cost += counts[x] + 1.0;
                        if (S->pair_of[y] < 0) cost += counts[y] + 1.0;
                    }
                }
                if (cost < best) {
                    best = cost;
                    bg1 = g1;
                    bg2 = g2;
                }
            }
        }
        for (int q = 0; q < np; q++)
            if (group[q] == bg2) group[q] = bg1;
        ngroups--;
    }
    /* renumber the groups 0..7 and fill the tables */
    int name[MAX_PAIRS];
    for (int g = 0; g < MAX_PAIRS; g++) name[g] = -1;
    int next = 0;
    memset(S->t1, 0, sizeof S->t1);
    memset(S->t2, 0, sizeof S->t2);
    S->tables_ok = 1;
    for (int q = 0; q < np; q++) {
        if (name[group[q]] < 0) name[group[q]] = next++;
        int bit = 1 << name[group[q]];
        if (S->pa[q] >= 128 || S->pb[q] >= 128) S->tables_ok = 0;
        S->t1[S->pa[q] & 127] |= (uint8_t)bit;
        S->t2[S->pb[q] & 127] |= (uint8_t)bit;
    }
}

static int choose_anchors(Scanner *S, const unsigned char *sample, Py_ssize_t n, double pair_cost) {
    /* A weighted set cover: anchors are picked one at a time, each time the bigram with the lowest
     * cost per word it newly covers (its SIMD cost shared by those words, plus a verification per
     * occurrence in the sample for each); then every word takes the rarest picked bigram it holds. */
    uint32_t *counts = calloc(65536, sizeof(uint32_t));
    uint8_t *picked = calloc(65536, 1);
    char *covered = calloc((size_t)S->nwords, 1);
    if (!counts || !picked || !covered) {
        free(counts);
        free(picked);
        free(covered);
        return -1;
    }
    for (Py_ssize_t i = 0; i + 1 < n; i++) counts[sample[i] | (sample[i + 1] << 8)]++;
    double scale = n > 1 ? 1.0 / (double)n : 1.0;
#define FREQ(bg) (((double)counts[bg] + 1.0) * scale)
    int left = S->nwords;
    while (left > 0) {
        double best = 1e300;
        int best_bg = -1;
        for (int k = 0; k < S->nwords; k++) {
            if (covered[k]) continue;
            const unsigned char *w = S->words + (size_t)k * MAX_WORD;
            for (int off = 0; off + 1 < S->wlen[k]; off++) {
                int bg = w[off] | (w[off + 1] << 8);
                if (picked[bg]) continue;
                /* uncovered words holding bg */
                int cover = 0;
                for (int k2 = 0; k2 < S->nwords; k2++) {
                    if (covered[k2]) continue;
                    const unsigned char *w2 = S->words + (size_t)k2 * MAX_WORD;
                    for (int o2 = 0; o2 + 1 < S->wlen[k2]; o2++)
                        if ((w2[o2] | (w2[o2 + 1] << 8)) == bg) {
                            cover++;
                            break;
                        }
                }
                double cost = (pair_cost + VERIFY_COST * FREQ(bg) * cover) / cover;
                if (cost < best || (cost == best && bg < best_bg)) {
                    best = cost;
                    best_bg = bg;
                }
            }
        }
        if (best_bg < 0) break; /* cannot happen: every uncovered word has a bigram */
        picked[best_bg] = 1;
        for (int k = 0; k < S->nwords; k++) {
            if (covered[k]) continue;
            const unsigned char *w = S->words + (size_t)k * MAX_WORD;
            for (int off = 0; off + 1 < S->wlen[k]; off++)
                if ((w[off] | (w[off + 1] << 8)) == best_bg) {
                    covered[k] = 1;
                    left--;
                    break;
                }
        }
    }
    for (int k = 0; k < S->nwords; k++) {
        const unsigned char *w = S->words + (size_t)k * MAX_WORD;
        double best = 1e300;
        for (int off = 0; off + 1 < S->wlen[k]; off++) {
            int bg = w[off] | (w[off + 1] << 8);
            if (picked[bg] && FREQ(bg) < best) {
                best = FREQ(bg);
                S->anc[k] = off;
            }
        }
    }
#undef FREQ
    free(picked);
    free(covered);
    /* the distinct anchors actually used, and the words of each (CSR) */
    S->npairs = 0;
    for (int k = 0; k < S->nwords; k++) {
        const unsigned char *w = S->words + (size_t)k * MAX_WORD;
        uint16_t bg = (uint16_t)(w[S->anc[k]] | (w[S->anc[k] + 1] << 8));
        if (S->pair_of[bg] < 0) {
            if (S->npairs >= MAX_PAIRS) {
                free(counts);
                return -2;
            }
            S->pair_of[bg] = (int16_t)S->npairs;
            S->pa[S->npairs] = (uint8_t)(bg & 0xff);
            S->pb[S->npairs] = (uint8_t)(bg >> 8);
            S->npairs++;
        }
    }
    S->plist_start = calloc((size_t)S->npairs + 1, sizeof(int));
    S->plist = malloc(sizeof(int) * (size_t)(S->nwords ? S->nwords : 1));
    if (!S->plist_start || !S->plist) {
        free(counts);
        return -1;
    }
    for (int k = 0; k < S->nwords; k++) {
        const unsigned char *w = S->words + (size_t)k * MAX_WORD;
        S->plist_start[S->pair_of[w[S->anc[k]] | (w[S->anc[k] + 1] << 8)] + 1]++;
    }
    for (int q = 0; q < S->npairs; q++) S->plist_start[q + 1] += S->plist_start[q];
    int *fill = calloc((size_t)S->npairs + 1, sizeof(int));
    if (!fill) {
        free(counts);
        return -1;
    }
    for (int k = 0; k < S->nwords; k++) {
        const unsigned char *w = S->words + (size_t)k * MAX_WORD;
        int q = S->pair_of[w[S->anc[k]] | (w[S->anc[k] + 1] << 8)];
        S->plist[S->plist_start[q] + fill[q]++] = k;
    }
    free(fill);
    group_pairs(S, counts);
    free(counts);
    return 0;
}

/* ---------------------------------------------------------------------------------------------- */
/* the Python type */

static void release_tables(Scanner *S) {
    free(S->words);
    free(S->wlen);
    free(S->anc);
    free(S->plist_start);
    free(S->plist);
    free(S->pair_of);
    S->words = NULL;
    S->wlen = S->anc = S->plist_start = S->plist = NULL;
    S->pair_of = NULL;
    S->nwords = S->npairs = 0;
}

static void Scanner_dealloc(Scanner *S) {
    release_tables(S);
    Py_XDECREF(S->words_obj);
    Py_TYPE(S)->tp_free((PyObject *)S);
}

static int Scanner_init(Scanner *S, PyObject *args, PyObject *kw) {
    static char *kwlist[] = {"words", "sample", "level", "pair_cost", NULL};
    PyObject *words;
    Py_buffer sample = {0};
    int level = -1;
    double pair_cost = PAIR_COST;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|y*id", kwlist, &words, &sample, &level, &pair_cost)) return -1;
    PyObject *seq = PySequence_Tuple(words);
    if (!seq) {
        PyBuffer_Release(&sample);
        return -1;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(seq);
    if (n < 1 || n > MAX_WORDS) {
        PyErr_Format(PyExc_ValueError, "need 1 to %d words", MAX_WORDS);
        goto fail;
    }
    if (S->words_obj) { /* __init__ called twice */
        PyErr_SetString(PyExc_RuntimeError, "Scanner is already initialized");
        Py_DECREF(seq);
        PyBuffer_Release(&sample);
        return -1;
    }
    release_tables(S); /* what an earlier, failed __init__ left */
    S->nwords = (int)n;
    S->words = calloc((size_t)n, MAX_WORD);
    S->wlen = calloc((size_t)n, sizeof(int));
    S->anc = calloc((size_t)n, sizeof(int));
    S->pair_of = malloc(65536 * sizeof(int16_t));
    if (!S->words || !S->wlen || !S->anc || !S->pair_of) {
        PyErr_NoMemory();
        goto fail;
    }
    for (int b = 0; b < 65536; b++) S->pair_of[b] = -1;
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *w = PyTuple_GET_ITEM(seq, k);
        if (!PyBytes_Check(w)) {
            PyErr_SetString(PyExc_TypeError, "words must be bytes");
            goto fail;
        }
        Py_ssize_t len = PyBytes_GET_SIZE(w);
        const char *s = PyBytes_AS_STRING(w);
        if (len < 2 || len > MAX_WORD || memchr(s, '\n', (size_t)len)) {
            PyErr_Format(PyExc_ValueError, "word %R: need 2 to %d bytes and no newline", w, MAX_WORD);
            goto fail;
        }
        memcpy(S->words + (size_t)k * MAX_WORD, s, (size_t)len);
        S->wlen[k] = (int)len;
    }
    int rc = choose_anchors(S, sample.buf ? (const unsigned char *)sample.buf : (const unsigned char *)"",
                            sample.buf ? sample.len : 0, pair_cost);
    if (rc == -1) {
        PyErr_NoMemory();
        goto fail;
    }
    if (rc == -2) {
        PyErr_SetString(PyExc_ValueError, "too many distinct anchors");
        goto fail;
    }
    int have = cpu_level();
    S->level = (level < 0 || level > have) ? have : level;
    S->words_obj = seq;
    PyBuffer_Release(&sample);
    return 0;
fail:
    release_tables(S); /* never half built: scan() and the getters see an uninitialized Scanner */
    Py_DECREF(seq);
    PyBuffer_Release(&sample);
    return -1;
}

static Py_ssize_t dispatch(const Scanner *S, State *st) {
#ifdef JG_X86
    if (S->level >= 3 && S->tables_ok) return scan_vbmi(S, st);
    if (S->level >= 2) return scan_avx512(S, st);
    if (S->level == 1) return scan_avx2(S, st);
#endif
    return scan_scalar(S, st, st->start);
}

/* The hits as a list of (line index, line start); frees the vector. NULL with an exception set. */
static PyObject *hits_list(HitVec *hv, Py_ssize_t stop) {
    if (stop < 0 || hv->failed) {
        free(hv->v);
        return PyErr_NoMemory();
    }
    PyObject *hits = PyList_New(hv->n / 2);
    if (!hits) {
        free(hv->v);
        return NULL;
    }
    for (Py_ssize_t t = 0; t < hv->n / 2; t++) {
        PyObject *pair = Py_BuildValue("(nn)", hv->v[2 * t], hv->v[2 * t + 1]);
        if (!pair) {
            free(hv->v);
            Py_DECREF(hits);
            return NULL;
        }
        PyList_SET_ITEM(hits, t, pair);
    }
    free(hv->v);
    return hits;
}

/* Scans shorter than this keep the GIL (see Scanner_scan). */
#define SCAN_UNLOCKED_MIN (64 * 1024)

static PyObject *Scanner_scan(Scanner *S, PyObject *args, PyObject *kw) {
    static char *kwlist[] = {"buffer", "start", "end", "max_hits", NULL};
    Py_buffer view;
    Py_ssize_t start = 0, end = -1, max_hits = -1;
    if (!S->words_obj) {
        PyErr_SetString(PyExc_RuntimeError, "Scanner is not initialized");
        return NULL;
    }
    if (!PyArg_ParseTupleAndKeywords(args, kw, "y*|nnn", kwlist, &view, &start, &end, &max_hits)) return NULL;
    if (end < 0 || end > view.len) end = view.len;
    if (start < 0) start = 0;
    if (start > end) start = end;
    HitVec hv = {0};
    State st = {(const unsigned char *)view.buf, start, end, 0, start - 1, 0, max_hits, &hv};
    Py_ssize_t stop;
    if (end - start >= SCAN_UNLOCKED_MIN) {
        Py_BEGIN_ALLOW_THREADS
        stop = dispatch(S, &st);
        Py_END_ALLOW_THREADS
    } else {
        /* a line or a window: microseconds. Letting the GIL go would hand it to the reader
         * thread, and getting it back costs far more than the scan (measured: 40 us a call). */
        stop = dispatch(S, &st);
    }
    PyBuffer_Release(&view);
    PyObject *hits = hits_list(&hv, stop);
    if (!hits) return NULL;
    return Py_BuildValue("(Nnn)", hits, stop, st.nl);
}

/* read(fd, offset, length, buffer) then scan it, all without the GIL: a reader thread needs the GIL
 * once per piece instead of after each step (the main thread holds it while it parses lines). */
static PyObject *Scanner_read_scan(Scanner *S, PyObject *args, PyObject *kw) {
    static char *kwlist[] = {"fd", "offset", "length", "buffer", "max_hits", NULL};
    int fd;
    long long offset;
    Py_ssize_t length, max_hits = -1;
    Py_buffer view;
    if (!S->words_obj) {
        PyErr_SetString(PyExc_RuntimeError, "Scanner is not initialized");
        return NULL;
    }
    if (!PyArg_ParseTupleAndKeywords(args, kw, "iLnw*|n", kwlist, &fd, &offset, &length, &view, &max_hits))
        return NULL;
    if (length < 0 || length > view.len || offset < 0) {
        PyBuffer_Release(&view);
        PyErr_SetString(PyExc_ValueError, "bad offset or length");
        return NULL;
    }
    Py_ssize_t got = 0;
    int err = 0;
    HitVec hv = {0};
    State st = {(const unsigned char *)view.buf, 0, 0, 0, -1, 0, max_hits, &hv};
    Py_ssize_t stop = 0;
    Py_BEGIN_ALLOW_THREADS  /* once for both: each release is a chance for the GIL to change hands */
    while (got < length) {
        ssize_t r = pread(fd, (char *)view.buf + got, (size_t)(length - got), (off_t)(offset + got));
        if (r < 0) {
            if (errno == EINTR) continue;
            err = errno;
            break;
        }
        if (r == 0) break;
        got += r;
    }
    if (!err) {
        st.end = got;
        stop = dispatch(S, &st);
    }
    Py_END_ALLOW_THREADS
    if (err) {
        PyBuffer_Release(&view);
        free(hv.v);
        errno = err;
        return PyErr_SetFromErrno(PyExc_OSError);
    }
    PyBuffer_Release(&view);
    PyObject *hits = hits_list(&hv, stop);
    if (!hits) return NULL;
    return Py_BuildValue("(Nnnn)", hits, stop, st.nl, got);
}

static PyObject *Scanner_get_level(Scanner *S, void *closure) { return PyLong_FromLong(S->level); }

static PyObject *Scanner_get_anchors(Scanner *S, void *closure) {
    if (!S->words_obj) return PyList_New(0);
    PyObject *out = PyList_New(S->nwords);
    if (!out) return NULL;
    for (int k = 0; k < S->nwords; k++) {
        PyObject *t = Py_BuildValue("(Oi)", PyTuple_GET_ITEM(S->words_obj, k), S->anc[k]);
        if (!t) {
            Py_DECREF(out);
            return NULL;
        }
        PyList_SET_ITEM(out, k, t);
    }
    return out;
}

static PyObject *Scanner_get_pairs(Scanner *S, void *closure) { return PyLong_FromLong(S->npairs); }

static PyMethodDef Scanner_methods[] = {
    {"scan", (PyCFunction)(void (*)(void))Scanner_scan, METH_VARARGS | METH_KEYWORDS,
     "scan(buffer, start=0, end=-1, max_hits=-1) -> (hits, stop, lines)"},
    {"read_scan", (PyCFunction)(void (*)(void))Scanner_read_scan, METH_VARARGS | METH_KEYWORDS,
     "read_scan(fd, offset, length, buffer, max_hits=-1) -> (hits, stop, lines, bytes read): pread into the "
     "writable buffer, then scan(buffer, 0, bytes read, max_hits)"},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef Scanner_getset[] = {
    {"level", (getter)Scanner_get_level, NULL, "0 scalar, 1 AVX2, 2 AVX-512BW, 3 AVX-512VBMI", NULL},
    {"anchors", (getter)Scanner_get_anchors, NULL, "(word, anchor offset) of each word", NULL},
    {"pairs", (getter)Scanner_get_pairs, NULL, "number of distinct anchors", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject ScannerType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "jgview._scan.Scanner",
    .tp_basicsize = sizeof(Scanner),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Scanner(words, sample=b'', level=-1): finds the lines holding any of the words",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Scanner_init,
    .tp_dealloc = (destructor)Scanner_dealloc,
    .tp_methods = Scanner_methods,
    .tp_getset = Scanner_getset,
};

static PyObject *mod_cpu_level(PyObject *self, PyObject *noargs) { return PyLong_FromLong(cpu_level()); }

static PyMethodDef module_methods[] = {
    {"cpu_level", mod_cpu_level, METH_NOARGS, "The best SIMD level this CPU runs: 0, 1 (AVX2), 2 (AVX-512BW), 3 (AVX-512VBMI)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef moduledef = {
    PyModuleDef_HEAD_INIT, "jgview._scan", "Multi-literal line scanner (see the source's header comment).", -1,
    module_methods,
};

PyMODINIT_FUNC PyInit__scan(void) {
    if (PyType_Ready(&ScannerType) < 0) return NULL;
    PyObject *m = PyModule_Create(&moduledef);
    if (!m) return NULL;
    Py_INCREF(&ScannerType);
    if (PyModule_AddObject(m, "Scanner", (PyObject *)&ScannerType) < 0) {
        Py_DECREF(&ScannerType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
