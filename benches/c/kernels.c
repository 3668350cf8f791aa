/* The benchmark kernels written naturally in C, the contender `c` in benches/kernels.rs.
 * Built by the root build.rs with `gcc -O3 -march=native` (only when STRATA_BENCH_C=1, as
 * ci/bench sets it). Same algorithms and strict float semantics as the .sk kernels: no
 * -ffast-math, so the energy reduction stays sequential here as in native Rust.
 * Lengths are int64_t like the Strata ABI's; nothing here allocates. */
#include <stdint.h>

void c_ola(const float *frame, const float *win, float *out, int64_t n, float gain, float lo, float hi) {
    for (int64_t i = 0; i < n; i++) {
        float v = frame[i] * win[i] * gain;
        v = v < lo ? lo : v;
        v = v > hi ? hi : v;
        out[i] += v;
    }
}

void c_fir(const float *x, int64_t nx, const float *taps, int64_t nt, float *y, int64_t ny) {
    int64_t n_max = ny < nx ? ny : nx;
    for (int64_t n = 0; n < n_max; n++) {
        float acc = 0.0f;
        int64_t k_max = nt < n + 1 ? nt : n + 1;
        for (int64_t k = 0; k < k_max; k++) acc += taps[k] * x[n - k];
        y[n] = acc;
    }
}

float c_dot(const float *a, const float *b, int64_t n) {
    float acc = 0.0f;
    for (int64_t i = 0; i < n; i++) acc += a[i] * b[i];
    return acc;
}

float c_energy(const float *x, int64_t n) {
    float acc = 0.0f;
    for (int64_t i = 0; i < n; i++) acc += x[i] * x[i];
    return acc;
}

void c_hash_all(const int32_t *x, int32_t *out, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        uint32_t h = (uint32_t)x[i];
        h ^= h >> 16;
        h *= 0x85ebca6bu;
        h ^= h >> 13;
        h *= 0xc2b2ae35u;
        h ^= h >> 16;
        out[i] = (int32_t)h;
    }
}

int64_t c_prefix_sum(int64_t *x, int64_t n) {
    uint64_t acc = 0; /* unsigned: wrapping, as the kernel's i64 arithmetic */
    for (int64_t i = 0; i < n; i++) {
        acc += (uint64_t)x[i];
        x[i] = (int64_t)acc;
    }
    return (int64_t)acc;
}
