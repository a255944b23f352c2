/*===- kernels.c - float32 conv2d and matmul microkernels ----------------===*
 *
 * mlc_rt_conv2d_f32 and mlc_rt_matmul_f32, the hot loops that generated code
 * calls for Conv and MatMul/Gemm with constant weights. Both are one GEMM
 * engine, C[M x N] (+)= A[M x K] * B[K x N], in the style of GotoBLAS/BLIS:
 *
 *  - A is in panels of 8 rows, layout [k][8] (one broadcast per FMA row),
 *    K rows lda floats apart. For conv that is the compiler's packed weights
 *    as they are (each of their 16-row panels is two of these side by side,
 *    lda 16); for matmul the activations are packed here, one block of rows
 *    x KC at a time.
 *  - B is in panels of 16 columns, layout [k][16]. For matmul that is the
 *    compiler's packed weights; for conv it is the implicit im2col of the
 *    input image, packed here straight from the image (padding, stride and
 *    dilation applied while packing) one strip of 32 columns x KC at a time
 *    into an L1-sized buffer, while the weights of the K block stay in L2.
 *    With AVX-512 three kinds of convolution read B where it lies instead:
 *    1x1 ones without padding or stride (B is the input), stride-1 ones with
 *    an output as large as the input (shifted_b: each K row is the input
 *    shifted by the tap's offset, with the image's edges masked), and
 *    stride-2 ones the same way on the input split into its four phases.
 *  - A tile function computes an 8 x 32 (AVX-512: 16 zmm accumulators, two B
 *    panels) or 8 x 16 (AVX2: two 4 x 16 halves; portable C) block of C over
 *    one K block, with fewer rows (m tails, down to 1 for a matrix-vector
 *    product) and masked columns (n tails). Its epilogue adds C (later K
 *    blocks) or the bias (first K block) and applies ReLU (last K block).
 *
 * Two kinds of convolution take other routes: depthwise ones (one input
 * channel per group) are computed directly, plane by plane; and, with
 * AVX-512, ones with few output columns (7x7 images, 1x1 images), where a
 * vector of 16 columns would be mostly padding, put 16 output channels (one
 * K row of a weight panel) in the vector instead (conv_task_small_n).
 *
 * The ISA is chosen once, at the first call, from the CPU (AVX-512F, else
 * AVX2+FMA, else portable C); the x86 paths are compiled with target
 * attributes so the library builds with plain -O2 for any x86-64, and only
 * the portable path exists elsewhere. No pointer needs any alignment.
 *
 * Threads: the work is cut into independent tasks (images x groups, column
 * chunks, row-panel chunks) sized so that every thread gets an equal share,
 * and run with mlc_rt_parallel_for on the context that mlc_model_run publishes
 * for the calling thread (single-threaded without one). Packing buffers are
 * per thread, allocated on first use and kept until the thread exits.
 *
 *===----------------------------------------------------------------------===*/
#define _POSIX_C_SOURCE 200112L /* posix_memalign */

#include "internal.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#define MLC_KERNELS_X86 1
#include <immintrin.h>
#else
#define MLC_KERNELS_X86 0
#endif

#if MLC_CONV_MR != 16 || MLC_MATMUL_NR != 16
#error "kernels.c is written for 16-row conv weight panels and 16-column B panels"
#endif

/// Rows of a tile's A panel (packed matmul activations; half a conv weight
/// panel) and columns of a B panel.
#define PANEL_M 8
#define PANEL_N 16
/// Rows of a packed conv weight panel: a tile reads one half of it (a K row
/// of A is CONV_MR floats apart), the few-columns tile all 16 in a vector.
#define CONV_MR MLC_CONV_MR
/// Largest K block: an A panel block (KC x 8) stays in L1, a B block in L2.
#define KC_MAX 256
/// The same for conv_task_small_n, whose tiles read 4 weight panels.
#define KC_SMALL_N 128
/// Largest column chunk of a conv task, and the floats of its output block
/// (rows x columns, revisited by every K block) that should fit in L2.
#define CONV_NC_MAX 1024
#define CONV_C_BLOCK (128 * 1024)
/// Largest input block (K block x columns) of a 1x1 convolution that
/// conv_task walks panel by panel.
#define DIRECT_PANELS_OUTER_BYTES (256 * 1024)
/// Tiles per packed strip of the conv input: KC_MAX x 32 floats is 32 KiB,
/// which stays in L1 while every weight panel of the K block goes past it.
#define CONV_STRIP_TILES 1
/// Largest row block of packed matmul activations: 256 x KC_MAX floats.
#define MATMUL_MC_MAX 256
/// Below this many multiply-adds a kernel runs on the calling thread only:
/// waking the pool costs more than it saves.
#define PARALLEL_MIN_MACS (1 << 17)

static inline int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }
static inline int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }
static inline int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }
static inline int64_t round_up(int64_t a, int64_t b) {
  return ceil_div(a, b) * b;
}

/// `p + n` elements without pointer arithmetic (which would be undefined when
/// the result lies outside the object): masked loads use such addresses
/// without touching the masked-off elements.
static inline const float *offset_ptr(const float *p, int64_t n) {
  return (const float *)((uintptr_t)p +
                         (uintptr_t)(n * (int64_t)sizeof(float)));
}
/// The same for masked stores.
static inline float *offset_out(float *p, int64_t n) {
  return (float *)((uintptr_t)p + (uintptr_t)(n * (int64_t)sizeof(float)));
}

static float *scratch(size_t floats);

/*===----------------------------------------------------------------------===*
 * Tiles and packing: the per-ISA parts
 *===----------------------------------------------------------------------===*/

/// What a tile does with its sums before it stores them.
typedef struct tile_epilogue {
  const float *row_bias; /* bias of the tile's first row (conv), or NULL */
  const float *col_bias; /* bias of the tile's first column (matmul), or NULL */
  bool accumulate;       /* add what C holds (a later K block, or a residual) */
  int64_t activation;    /* mlc_activation of the result (NONE before the
                            last K block) */
} tile_epilogue;

/// C[mr x nc] (+)= A panel [kc][8] (its first mr rows; K row k at a + k*lda:
/// PANEL_M for packed activations, CONV_MR for conv weights) x B panels
/// [kc][16] (the columns >= 16 come from the panel at b + b_next), then the
/// epilogue.
/// Row k of a B panel is at ldb * k floats from its start: PANEL_N for packed
/// panels, or the image size where the tile reads a 1x1 convolution's input
/// in place. 1 <= mr <= 8, 1 <= nc <= the ISA's tile width.
typedef void (*tile_fn)(int64_t kc, const float *a, int64_t lda, const float *b,
                        int64_t b_next, int64_t ldb, float *c, int64_t ldc, int mr, int nc,
                        const tile_epilogue *e);

/// Most kernel taps (kh x kw) of a convolution whose B a tile reads in place
/// (conv_job.shifted).
#define SHIFTED_MAX_TAPS 64
/// Largest K block of such a convolution: without a packed B strip to keep
/// in L1, longer blocks (fewer passes over C) win up to about this many
/// (3x3 convolutions at 56x56 to 14x14: 97% of the FMA peak against 94% at
/// KC_MAX).
#define SHIFTED_KC_MAX 2304
/// Floats of weights (row panels x K block) that such a convolution keeps in
/// L2 while its tiles go past them.
#define SHIFTED_A_BLOCK (48 * 1024)
/// How many tiles ahead such a convolution fetches its input (a 3x3
/// convolution of 64 channels at 56x56, with its input from memory, ran 5%
/// faster at 2 to 6 tiles ahead; in resnet18, whose convolutions find their
/// input in L2 and L3, it changes nothing measurable).
#define SHIFTED_PREFETCH_TILES 4

/// B of a convolution read where it lies instead of packed
/// (conv_reads_shifted): row (c, ky, kx) of B is channel c of the input (or
/// of its phases) shifted by off[tap] floats (tap = ky * kw + kx;
/// shifted_taps), with the lanes whose tap falls outside the image masked
/// to zero (bit j of mask[tap]: column j of the tile).
typedef struct shifted_b {
  const float *in; /* the K block's first channel, at the tile's first column */
  int64_t hw;      /* floats between channel planes */
  int64_t khw;     /* taps per channel */
  const int64_t *off;
  const uint32_t *mask;
} shifted_b;

/// C[mr x nc] (+)= A [kc][8] (half a conv weight panel: K rows CONV_MR
/// floats apart) x B (kc: whole channels, a multiple of b->khw), then the
/// epilogue; 1 <= mr <= 8, 1 <= nc <= 32.
typedef void (*tile_shifted_fn)(int64_t kc, const float *a, const shifted_b *b, float *c,
                                int64_t ldc, int mr, int nc, const tile_epilogue *e);

/// Geometry of one image x group of a convolution, for packing B.
typedef struct conv_geom {
  const float *in; /* first channel of the group in this image */
  int64_t h, w, hw, kh, kw, khw, oh, ow;
  int64_t sh, sw, dh, dw, pt, pl;
  bool direct; /* 1x1, stride 1, no padding: B[k][n] = in[k*hw + n] */
} conv_geom;

/// Packs B[k0 .. k0+kc, n0 .. n0+ncols] (the implicit im2col of the image)
/// into ceil(ncols/16) panels dst[(p*kc + kk)*16 + j], zero past ncols.
typedef void (*pack_fn)(const conv_geom *g, int64_t k0, int64_t kc, int64_t n0,
                        int64_t ncols, float *dst);

/// Packs rows [0, rows) x columns [0, kc) of A (row stride lda) into panels
/// dst[(p*kc + kk)*8 + r]; the rows past `rows` of the last panel are left
/// unset (tiles only read their mr rows).
typedef void (*pack_a_fn)(const float *a, int64_t lda, int64_t rows, int64_t kc, float *dst);

/// The activation `act` (mlc_activation) in place over n floats.
typedef void (*activate_fn)(int64_t act, float *x, int64_t n);

/// A depthwise convolution (one input channel per group): computed directly,
/// one output plane at a time, instead of as a GEMM with one row.
typedef struct dw_job {
  const mlc_conv2d_params *p;
  const float *input, *weights, *bias;
  float *output;
  int64_t M, P, K;    /* outputs per group, their weight panels, kh*kw */
  int64_t tap_stride; /* CONV_MR: packed panels; 1: ONNX [f, 1, kh, kw] */
  activate_fn activate; /* the ISA's, for the planes of dw_c */
} dw_job;

/// Most taps of a convolution that dw_cblock_avx512 takes.
#define DWC_MAX_TAPS 64

/// Whether dw_s2_plane_avx512 computes `p`: 3x3 and 5x5 at stride 2,
/// dilation 1.
static bool dw_s2_applies(const mlc_conv2d_params *p) {
  return p->stride_h == 2 && p->stride_w == 2 && p->kh == p->kw && (p->kh == 3 || p->kh == 5) &&
         p->dilation_h == 1 && p->dilation_w == 1;
}

/// Whether dw_cblock_avx512 computes `p` (depthwise, M = 1 output channel per
/// input channel): planes at most 32 columns wide. Wider ones go faster
/// through the kernels with 16 columns per vector, which need no
/// transposition (measured on AVX-512 for 3x3 and 5x5 at stride 1 and 2:
/// at 14 and 28 columns 1.4-4.9x faster than those, at 56 columns 1.3x
/// slower). Except at stride 2 where dw_s2_plane_avx512 is faster: every 3x3
/// (144 channels 56 -> 28: 0.114 -> 0.059 ms, 192 28 -> 14: 0.039 ->
/// 0.023, 576 14 -> 7: 0.039 -> 0.035) and 5x5 to more than 16 columns
/// (144 channels 56 -> 28: 0.175 -> 0.139 ms; to 14 columns it was 10%
/// slower, to 7 columns 50%).
static bool dwc_applies(const mlc_conv2d_params *p, int64_t M) {
  if (dw_s2_applies(p) && (p->kh == 3 || p->ow > 16))
    return false;
  return M == 1 && p->ow <= 32 && p->stride_h == p->stride_w &&
         (p->stride_h == 1 || p->stride_h == 2) && p->kh * p->kw <= DWC_MAX_TAPS;
}

/// Computes the output planes [begin, end) (plane = image * f + channel).
typedef void (*dw_fn)(const dw_job *job, int64_t begin, int64_t end);
/// A loop over the planes [begin, end) (plane = image * c + channel) of
/// `input` into `output`: max pooling, the stride-2 phase split.
typedef void (*plane_fn)(const mlc_conv2d_params *p, const float *input, float *output,
                         int64_t begin, int64_t end);

static void split_phases(const mlc_conv2d_params *p, const float *input, float *dst,
                         int64_t begin, int64_t end);

/// The small-N conv tile (output channels in the vector, columns broadcast):
/// ct[c*ldct + ch] (+)= sum_kk B[kk][c] * A[kk][ch] for columns c < ncol
/// (<= 8) of the B panel b ([kc][16], first column at b) and channels
/// ch < 16*cv from the conv weight panels a[0..cv) ([kc][CONV_MR] each);
/// cv is 1 or 2, or up to 4 when ncol <= 4. The sums of all 16*cv channels
/// are written.
typedef void (*tile_t_fn)(int64_t kc, const float *const *a, const float *b,
                          float *ct, int64_t ldct, int cv, int ncol,
                          bool accumulate);

/// B of a few-columns convolution read where it lies (conv_job.direct):
/// row (ch, tap) of B at column j of a tile is in[ch * plane + off[tap] +
/// col[j]], in a copy of the input padded with zeros (or the input itself
/// where no tap leaves it), so stride and dilation cost nothing.
typedef struct direct_b {
  const float *in;     /* the K block's first channel */
  int64_t plane;       /* floats between channels */
  int64_t khw;         /* taps per channel */
  const int64_t *off;  /* per tap: ky * dilation_h * row + kx * dilation_w */
  const int64_t *col;  /* per column of the tile: its first tap's pixel */
} direct_b;

/// tile_t_fn on a direct_b (kc whole channels: a multiple of b->khw).
typedef void (*tile_tb_fn)(int64_t kc, const float *const *a, const direct_b *b,
                           float *ct, int64_t ldct, int cv, int ncol, bool accumulate);

/// The small-N conv's results back in place: out[m * ldo + n] = ct[n * ldct
/// + m] + bias[m] (bias may be NULL), plus what out held when `residual`,
/// for m < rows and n < ncols.
typedef void (*store_t_fn)(const float *ct, int64_t ldct, int64_t rows, int64_t ncols,
                           const float *bias, bool residual, float *out, int64_t ldo);

/// The taps of output channel o: tap k at [k * job->tap_stride].
static inline const float *dw_weights(const dw_job *job, int64_t o) {
  if (job->tap_stride == 1)
    return job->weights + o * job->K;
  const int64_t g = o / job->M, r = o % job->M;
  return job->weights + ((g * job->P + r / CONV_MR) * job->K) * CONV_MR + r % CONV_MR;
}

/// Depthwise output plane `plane` (image * channels + channel): its input
/// plane, output plane, taps and bias.
typedef struct dw_plane {
  const float *in, *wk;
  float *out;
  float bias;
} dw_plane;
static inline dw_plane dw_plane_at(const dw_job *job, int64_t plane) {
  const mlc_conv2d_params *p = job->p;
  const int64_t b = plane / p->f, o = plane % p->f;
  dw_plane d;
  d.in = job->input + (b * p->c + o / job->M) * p->h * p->w;
  d.out = job->output + plane * p->oh * p->ow;
  d.wk = dw_weights(job, o);
  d.bias = job->bias ? job->bias[o] : 0.0f;
  return d;
}

/// Columns [l0, l1) of a B panel that lie in one output row; the input
/// element of column l0 for k = 0 is (iy0, ix0) (before the kernel offsets).
typedef struct segment {
  int l0, l1;
  int64_t iy0, ix0;
} segment;

static int make_segments(const conv_geom *g, int64_t n0, int lanes,
                         segment *seg) {
  int count = 0;
  int64_t y = n0 / g->ow, x = n0 % g->ow;
  for (int l = 0; l < lanes; ++count) {
    int run = (int)min64(lanes - l, g->ow - x);
    seg[count].l0 = l;
    seg[count].l1 = l + run;
    seg[count].iy0 = y * g->sh - g->pt;
    seg[count].ix0 = x * g->sw - g->pl;
    l += run;
    x = 0;
    ++y;
  }
  return count;
}

/// The activation `act` (mlc_activation) of one float; NaN stays NaN
/// (comparisons with it are false).
static inline float activate1(int64_t act, float x) {
  switch (act) {
  case MLC_ACTIVATION_RELU:
    return x < 0.0f ? 0.0f : x;
  case MLC_ACTIVATION_RELU6:
    return x < 0.0f ? 0.0f : x > 6.0f ? 6.0f : x;
  case MLC_ACTIVATION_HARDSWISH: {
    const float g = x * (1.0f / 6.0f) + 0.5f;
    return x * (g < 0.0f ? 0.0f : g > 1.0f ? 1.0f : g);
  }
  case MLC_ACTIVATION_SILU:
    return x / (1.0f + expf(-x));
  default:
    return x;
  }
}

/// Stores a tile's sums (acc, row stride 32) through the epilogue, scalar:
/// the portable path and the partial tiles of the AVX2 path.
static void store_tile_scalar(const float *acc, int mr, int nc, float *c,
                              int64_t ldc, const tile_epilogue *e) {
  for (int r = 0; r < mr; ++r) {
    float *crow = c + r * ldc;
    for (int j = 0; j < nc; ++j) {
      float x = acc[r * 32 + j];
      if (e->accumulate)
        x += crow[j];
      if (e->row_bias)
        x += e->row_bias[r];
      if (e->col_bias)
        x += e->col_bias[j];
      crow[j] = activate1(e->activation, x);
    }
  }
}

/*--- Portable C ---------------------------------------------------------===*/

static void tile_c(int64_t kc, const float *a, int64_t lda, const float *b, int64_t b_next,
                   int64_t ldb, float *c, int64_t ldc, int mr, int nc,
                   const tile_epilogue *e) {
  (void)b_next; /* tiles are one panel wide */
  float acc[PANEL_M * 32];
  memset(acc, 0, sizeof(acc));
  for (int64_t kk = 0; kk < kc; ++kk) {
    const float *bk = b + kk * ldb;
    for (int r = 0; r < mr; ++r) {
      const float ar = a[kk * lda + r];
      float *accr = acc + r * 32;
      for (int j = 0; j < PANEL_N; ++j)
        accr[j] += ar * bk[j];
    }
  }
  store_tile_scalar(acc, mr, nc, c, ldc, e);
}

/// Depthwise planes, portable: each output row accumulates one input row
/// per kernel position over the columns where it lies inside the image.
static void dw_c(const dw_job *job, int64_t begin, int64_t end) {
  const mlc_conv2d_params *p = job->p;
  const int64_t oh = p->oh, ow = p->ow, h = p->h, w = p->w;
  const int64_t sw = p->stride_w;
  for (int64_t plane = begin; plane < end; ++plane) {
    const dw_plane d = dw_plane_at(job, plane);
    const float *in = d.in, *wk = d.wk;
    float *out = d.out;
    const float bias = d.bias;
    for (int64_t y = 0; y < oh; ++y) {
      float *orow = out + y * ow;
      for (int64_t x = 0; x < ow; ++x)
        orow[x] = bias;
      for (int64_t ky = 0; ky < p->kh; ++ky) {
        const int64_t iy = y * p->stride_h + ky * p->dilation_h - p->pad_top;
        if (iy < 0 || iy >= h)
          continue;
        const float *irow = in + iy * w;
        for (int64_t kx = 0; kx < p->kw; ++kx) {
          const float wt = wk[(ky * p->kw + kx) * job->tap_stride];
          const int64_t ix0 = kx * p->dilation_w - p->pad_left;
          /* Columns x with 0 <= ix0 + x*sw < w. */
          const int64_t xlo = ix0 < 0 ? ceil_div(-ix0, sw) : 0;
          const int64_t xhi = ix0 >= w ? 0 : min64(ow, (w - 1 - ix0) / sw + 1);
          for (int64_t x = xlo; x < xhi; ++x)
            orow[x] += wt * irow[ix0 + x * sw];
        }
      }
    }
    job->activate(p->activation, out, oh * ow); /* while the plane is in cache */
  }
}

/// Max pooling planes [begin, end) (plane = image * c + channel), portable:
/// the max over each window's positions inside the image; NaN propagates.
static void maxpool_c(const mlc_conv2d_params *p, const float *input, float *output,
                      int64_t begin, int64_t end) {
  for (int64_t plane = begin; plane < end; ++plane) {
    const float *in = input + plane * p->h * p->w;
    float *out = output + plane * p->oh * p->ow;
    for (int64_t y = 0; y < p->oh; ++y)
      for (int64_t x = 0; x < p->ow; ++x) {
        float m = -INFINITY;
        for (int64_t ky = 0; ky < p->kh; ++ky) {
          const int64_t iy = y * p->stride_h + ky * p->dilation_h - p->pad_top;
          if (iy < 0 || iy >= p->h)
            continue;
          for (int64_t kx = 0; kx < p->kw; ++kx) {
            const int64_t ix = x * p->stride_w + kx * p->dilation_w - p->pad_left;
            const float v = ix >= 0 && ix < p->w ? in[iy * p->w + ix] : -INFINITY;
            if (v > m || v != v) /* nothing is > NaN: once m is NaN, it stays */
              m = v;
          }
        }
        out[y * p->ow + x] = m;
      }
  }
}

static void activate_c(int64_t act, float *x, int64_t n) {
  if (act != MLC_ACTIVATION_NONE)
    for (int64_t i = 0; i < n; ++i)
      x[i] = activate1(act, x[i]);
}

/// The definition, element by element: for tables too large for the stack.
static void pack_conv_scalar(const conv_geom *g, int64_t k0, int64_t kc,
                             int64_t n0, int64_t ncols, float *dst) {
  for (int64_t p = 0; p * PANEL_N < ncols; ++p) {
    const int64_t pn0 = n0 + p * PANEL_N;
    const int lanes = (int)min64(PANEL_N, ncols - p * PANEL_N);
    float *out = dst + p * kc * PANEL_N;
    if (g->direct) {
      for (int64_t kk = 0; kk < kc; ++kk) {
        float *row = out + kk * PANEL_N;
        memcpy(row, g->in + (k0 + kk) * g->hw + pn0,
               (size_t)lanes * sizeof(float));
        for (int j = lanes; j < PANEL_N; ++j)
          row[j] = 0.0f;
      }
      continue;
    }
    segment seg[PANEL_N];
    const int nseg = make_segments(g, pn0, lanes, seg);
    int64_t ci = k0 / g->khw, ky = k0 % g->khw / g->kw, kx = k0 % g->kw;
    for (int64_t kk = 0; kk < kc; ++kk) {
      float *row = out + kk * PANEL_N;
      for (int j = 0; j < PANEL_N; ++j)
        row[j] = 0.0f;
      const float *plane = g->in + ci * g->hw;
      for (int s = 0; s < nseg; ++s) {
        const int64_t iy = seg[s].iy0 + ky * g->dh;
        if (iy < 0 || iy >= g->h)
          continue;
        const float *src = plane + iy * g->w;
        const int64_t ix = seg[s].ix0 + kx * g->dw;
        for (int j = seg[s].l0; j < seg[s].l1; ++j) {
          const int64_t x = ix + (j - seg[s].l0) * g->sw;
          if (x >= 0 && x < g->w)
            row[j] = src[x];
        }
      }
      if (++kx == g->kw) {
        kx = 0;
        if (++ky == g->kh) {
          ky = 0;
          ++ci;
        }
      }
    }
  }
}

/// One load of a packed B row segment: lanes `lanes` of the row come from
/// plane + off (stride 1: lane j reads plane[off + j]; stride 2: lane j reads
/// plane[off + 2j], loaded as two vectors under m32; otherwise a gather with
/// the segment's index vector from plane + off). lanes == 0 loads nothing
/// (off is then 0, a valid address).
typedef struct pack_entry {
  int64_t off;
  uint32_t m32;
  uint16_t lanes;
  uint16_t l0; /* first lane of the segment */
} pack_entry;

/// Most entries a panel's table may have (kernel positions x row segments);
/// larger tables fall back to pack_conv_scalar.
#define PACK_TABLE_MAX 1024

/// Fills table[r*nseg + s] for every kernel position r and row segment s of
/// one panel. Runs once per panel and K block, as often as the row loop runs
/// per position, so it avoids divisions for strides 1 and 2.
static void pack_table(const conv_geom *g, const segment *seg, int nseg,
                       pack_entry *table) {
  const int64_t h = g->h, w = g->w, sw = g->sw;
  pack_entry *e = table;
  for (int64_t ky = 0; ky < g->kh; ++ky)
    for (int64_t kx = 0; kx < g->kw; ++kx)
      for (int s = 0; s < nseg; ++s, ++e) {
        e->off = 0;
        e->m32 = 0;
        e->lanes = 0;
        e->l0 = (uint16_t)seg[s].l0;
        const int64_t iy = seg[s].iy0 + ky * g->dh;
        const int64_t ix = seg[s].ix0 + kx * g->dw;
        if (iy < 0 || iy >= h || ix >= w)
          continue;
        /* Lanes [jlo, jhi) read inside the row: 0 <= ix + (j-l0)*sw < w. */
        const int64_t l0 = seg[s].l0;
        int64_t before = ix < 0 ? -ix : 0; /* elements left of the row */
        int64_t inside = w - 1 - ix;       /* elements right of ix, >= 0 */
        if (sw == 2) {
          before = (before + 1) >> 1;
          inside >>= 1;
        } else if (sw > 2) {
          before = ceil_div(before, sw);
          inside /= sw;
        }
        const int64_t jlo = l0 + before;
        const int64_t jhi = min64(seg[s].l1, l0 + inside + 1);
        if (jlo >= jhi)
          continue;
        e->lanes = (uint16_t)(((1u << jhi) - 1) & ~((1u << jlo) - 1));
        if (sw == 1) {
          e->off = iy * w + ix - l0;
        } else if (sw == 2) {
          /* Lane j reads base[2j]: load base[2*jlo .. 2*jhi-2]. */
          e->off = iy * w + ix - 2 * l0;
          e->m32 = (uint32_t)(((1ull << (2 * jhi - 1)) - 1) &
                              ~((1ull << (2 * jlo)) - 1));
        } else {
          e->off = iy * w + ix;
        }
      }
}

/// pack_conv_scalar, with the bounds checks hoisted out of the loop over k:
/// each panel first builds the table of its row segments per kernel position
/// (they do not depend on the channel), then copies runs of the input.
static void pack_conv_c(const conv_geom *g, int64_t k0, int64_t kc, int64_t n0,
                        int64_t ncols, float *dst) {
  const int64_t khw = g->khw, hw = g->hw, sw = g->sw;
  if (g->direct) {
    for (int64_t p = 0; p * PANEL_N < ncols; ++p) {
      const int lanes = (int)min64(PANEL_N, ncols - p * PANEL_N);
      const float *src = g->in + k0 * hw + n0 + p * PANEL_N;
      float *out = dst + p * kc * PANEL_N;
      for (int64_t kk = 0; kk < kc; ++kk, src += hw, out += PANEL_N) {
        memcpy(out, src, (size_t)lanes * sizeof(float));
        for (int j = lanes; j < PANEL_N; ++j)
          out[j] = 0.0f;
      }
    }
    return;
  }
  pack_entry table[PACK_TABLE_MAX];
  const int64_t c0 = k0 / khw, r0 = k0 % khw;
  for (int64_t p = 0; p * PANEL_N < ncols; ++p) {
    const int64_t pn0 = n0 + p * PANEL_N;
    const int lanes = (int)min64(PANEL_N, ncols - p * PANEL_N);
    float *out = dst + p * kc * PANEL_N;
    segment seg[PANEL_N];
    const int nseg = make_segments(g, pn0, lanes, seg);
    if (khw * nseg > PACK_TABLE_MAX) {
      pack_conv_scalar(g, k0, kc, pn0, lanes, out);
      continue;
    }
    pack_table(g, seg, nseg, table);
    const float *plane = g->in + c0 * hw;
    const pack_entry *e = table + r0 * nseg, *const end = table + khw * nseg;
    for (int64_t kk = 0; kk < kc; ++kk, out += PANEL_N) {
      float *const row = out;
      for (int j = 0; j < PANEL_N; ++j)
        row[j] = 0.0f;
      for (int s = 0; s < nseg; ++s, ++e) {
        if (!e->lanes)
          continue;
        const int jlo = __builtin_ctz(e->lanes);
        const int jhi = 32 - __builtin_clz((uint32_t)e->lanes);
        const float *src = offset_ptr(plane, e->off);
        if (sw == 1)
          for (int j = jlo; j < jhi; ++j)
            row[j] = src[j];
        else if (sw == 2)
          for (int j = jlo; j < jhi; ++j)
            row[j] = src[2 * j];
        else
          for (int j = jlo; j < jhi; ++j)
            row[j] = src[(j - e->l0) * sw];
      }
      if (e == end) {
        e = table;
        plane += hw;
      }
    }
  }
}

/// pack_a_fn, one element at a time: rows from `row` on (all: 0).
static void pack_a_rows_c(const float *a, int64_t lda, int64_t row, int64_t rows, int64_t kc,
                          float *dst) {
  for (int64_t i = row; i < rows; ++i) {
    const float *src = a + i * lda;
    float *out = dst + (i / PANEL_M) * kc * PANEL_M + i % PANEL_M;
    for (int64_t kk = 0; kk < kc; ++kk)
      out[kk * PANEL_M] = src[kk];
  }
}

static void pack_a_c(const float *a, int64_t lda, int64_t rows, int64_t kc, float *dst) {
  pack_a_rows_c(a, lda, 0, rows, kc, dst);
}

static void store_t_c(const float *ct, int64_t ldct, int64_t rows, int64_t ncols,
                      const float *bias, bool residual, float *out, int64_t ldo) {
  for (int64_t m = 0; m < rows; ++m) {
    const float b = bias ? bias[m] : 0.0f;
    float *o = out + m * ldo;
    for (int64_t n = 0; n < ncols; ++n)
      o[n] = ct[n * ldct + m] + b + (residual ? o[n] : 0.0f);
  }
}

#if MLC_KERNELS_X86

/*--- AVX2 + FMA ---------------------------------------------------------===*/

#define TARGET_AVX2 __attribute__((target("avx2,fma")))
#define ALWAYS_INLINE inline __attribute__((always_inline))

/* x * sigmoid(x) = x / (1 + e^-x). e^t = 2^n * e^r with n = round(t log2 e)
 * and |r| <= ln2/2, where a degree-6 Taylor polynomial is within 1e-7; t is
 * clamped to [-87, 88] so that 2^n stays a normal float (the clamp changes
 * no result: there e^-x is 0 or 1 + e^-x is too large to matter). The
 * reciprocal is an estimate refined by one Newton step (relative error about
 * 2^-23 with AVX2's 12-bit estimate, far less with AVX-512's 14-bit one). */
#define SILU_EXP_COEFFS 1.0f / 720, 1.0f / 120, 1.0f / 24, 1.0f / 6, 0.5f, 1.0f, 1.0f

static ALWAYS_INLINE TARGET_AVX2 __m256 silu8(__m256 x) {
  const float c[] = {SILU_EXP_COEFFS};
  __m256 t = _mm256_min_ps(_mm256_max_ps(_mm256_sub_ps(_mm256_setzero_ps(), x),
                                         _mm256_set1_ps(-87.0f)),
                           _mm256_set1_ps(88.0f));
  __m256 n = _mm256_round_ps(_mm256_mul_ps(t, _mm256_set1_ps(1.44269504f)),
                             _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), t);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
  __m256 poly = _mm256_set1_ps(c[0]);
  for (int i = 1; i < 7; ++i)
    poly = _mm256_fmadd_ps(poly, r, _mm256_set1_ps(c[i]));
  __m256i bits = _mm256_slli_epi32(
      _mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  __m256 d = _mm256_add_ps(_mm256_set1_ps(1.0f),
                           _mm256_mul_ps(poly, _mm256_castsi256_ps(bits)));
  __m256 inv = _mm256_rcp_ps(d);
  inv = _mm256_mul_ps(inv, _mm256_fnmadd_ps(d, inv, _mm256_set1_ps(2.0f)));
  return _mm256_mul_ps(x, inv);
}

/// Applies `act` (mlc_activation) to the n vectors x[0..n) in place; n is a
/// constant after inlining, so that x stays in registers. NaN stays NaN:
/// max(0, NaN) and min(c, NaN) return their second operand.
static ALWAYS_INLINE TARGET_AVX2 void activate8(int64_t act, __m256 *x, const int n) {
  const __m256 zero = _mm256_setzero_ps(), one = _mm256_set1_ps(1.0f);
  switch (act) {
  case MLC_ACTIVATION_RELU:
#pragma GCC unroll 16
    for (int i = 0; i < n; ++i)
      x[i] = _mm256_max_ps(zero, x[i]);
    break;
  case MLC_ACTIVATION_RELU6:
#pragma GCC unroll 16
    for (int i = 0; i < n; ++i)
      x[i] = _mm256_min_ps(_mm256_set1_ps(6.0f), _mm256_max_ps(zero, x[i]));
    break;
  case MLC_ACTIVATION_HARDSWISH:
#pragma GCC unroll 16
    for (int i = 0; i < n; ++i) {
      const __m256 g = _mm256_add_ps(_mm256_mul_ps(x[i], _mm256_set1_ps(1.0f / 6.0f)),
                                     _mm256_set1_ps(0.5f));
      x[i] = _mm256_mul_ps(x[i], _mm256_min_ps(one, _mm256_max_ps(zero, g)));
    }
    break;
  case MLC_ACTIVATION_SILU:
#pragma GCC unroll 16
    for (int i = 0; i < n; ++i)
      x[i] = silu8(x[i]);
    break;
  default:
    break;
  }
}

static TARGET_AVX2 void activate_avx2(int64_t act, float *x, int64_t n) {
  if (act == MLC_ACTIVATION_NONE)
    return;
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 v = _mm256_loadu_ps(x + i);
    activate8(act, &v, 1);
    _mm256_storeu_ps(x + i, v);
  }
  if (i < n) {
    float tail[8] = {0};
    memcpy(tail, x + i, (size_t)(n - i) * sizeof(float));
    __m256 v = _mm256_loadu_ps(tail);
    activate8(act, &v, 1);
    _mm256_storeu_ps(tail, v);
    memcpy(x + i, tail, (size_t)(n - i) * sizeof(float));
  }
}


/// MR (<= 4) rows x 16 columns; KU independent accumulator sets over k when
/// MR is small, so that enough FMAs are in flight.
static ALWAYS_INLINE TARGET_AVX2 void
ukr_avx2(const int MR, const int KU, int64_t kc, const float *a, int64_t lda, const float *b,
         int64_t ldb, float *c, int64_t ldc, int nc, const tile_epilogue *e,
         const float *row_bias) {
  __m256 acc[4][4][2]; /* [KU][MR][2]; fixed sizes keep it in registers */
#pragma GCC unroll 16
  for (int u = 0; u < KU; ++u)
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r)
      acc[u][r][0] = acc[u][r][1] = _mm256_setzero_ps();
  int64_t kk = 0;
  for (; kk + KU <= kc; kk += KU) {
#pragma GCC unroll 16
    for (int u = 0; u < KU; ++u) {
      const __m256 b0 = _mm256_loadu_ps(b + (kk + u) * ldb);
      const __m256 b1 = _mm256_loadu_ps(b + (kk + u) * ldb + 8);
#pragma GCC unroll 16
      for (int r = 0; r < MR; ++r) {
        const __m256 s = _mm256_broadcast_ss(a + (kk + u) * lda + r);
        acc[u][r][0] = _mm256_fmadd_ps(s, b0, acc[u][r][0]);
        acc[u][r][1] = _mm256_fmadd_ps(s, b1, acc[u][r][1]);
      }
    }
  }
  for (; kk < kc; ++kk) {
    const __m256 b0 = _mm256_loadu_ps(b + kk * ldb);
    const __m256 b1 = _mm256_loadu_ps(b + kk * ldb + 8);
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) {
      const __m256 s = _mm256_broadcast_ss(a + kk * lda + r);
      acc[0][r][0] = _mm256_fmadd_ps(s, b0, acc[0][r][0]);
      acc[0][r][1] = _mm256_fmadd_ps(s, b1, acc[0][r][1]);
    }
  }
#pragma GCC unroll 16
  for (int u = 1; u < KU; ++u)
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) {
      acc[0][r][0] = _mm256_add_ps(acc[0][r][0], acc[u][r][0]);
      acc[0][r][1] = _mm256_add_ps(acc[0][r][1], acc[u][r][1]);
    }
  if (nc < PANEL_N) {
    float tmp[4 * 32];
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) {
      _mm256_storeu_ps(tmp + r * 32, acc[0][r][0]);
      _mm256_storeu_ps(tmp + r * 32 + 8, acc[0][r][1]);
    }
    tile_epilogue sub = *e;
    sub.row_bias = row_bias;
    store_tile_scalar(tmp, MR, nc, c, ldc, &sub);
    return;
  }
  const bool accumulate = e->accumulate;
  const float *const col_bias = e->col_bias;
  const __m256 zero = _mm256_setzero_ps();
  __m256 cb0 = zero, cb1 = zero;
  if (col_bias) {
    cb0 = _mm256_loadu_ps(col_bias);
    cb1 = _mm256_loadu_ps(col_bias + 8);
  }
  __m256 x[4 * 2]; /* [MR][2] */
#pragma GCC unroll 16
  for (int r = 0; r < MR; ++r) {
    const float *cr = c + r * ldc;
    x[2 * r] = acc[0][r][0];
    x[2 * r + 1] = acc[0][r][1];
    if (accumulate) {
      x[2 * r] = _mm256_add_ps(x[2 * r], _mm256_loadu_ps(cr));
      x[2 * r + 1] = _mm256_add_ps(x[2 * r + 1], _mm256_loadu_ps(cr + 8));
    }
    const __m256 rb = row_bias ? _mm256_set1_ps(row_bias[r]) : zero;
    x[2 * r] = _mm256_add_ps(x[2 * r], _mm256_add_ps(cb0, rb));
    x[2 * r + 1] = _mm256_add_ps(x[2 * r + 1], _mm256_add_ps(cb1, rb));
  }
  activate8(e->activation, x, 2 * MR);
#pragma GCC unroll 16
  for (int r = 0; r < MR; ++r) {
    _mm256_storeu_ps(c + r * ldc, x[2 * r]);
    _mm256_storeu_ps(c + r * ldc + 8, x[2 * r + 1]);
  }
}

static TARGET_AVX2 void tile_avx2(int64_t kc, const float *a, int64_t lda, const float *b,
                                  int64_t b_next, int64_t ldb, float *c, int64_t ldc,
                                  int mr, int nc, const tile_epilogue *e) {
  (void)b_next; /* tiles are one panel wide */
  for (int r0 = 0; r0 < mr; r0 += 4) {
    const float *rb = e->row_bias ? e->row_bias + r0 : NULL;
    const float *ar = a + r0;
    float *cr = c + r0 * ldc;
    switch (mr - r0 >= 4 ? 4 : mr - r0) {
    case 1:
      ukr_avx2(1, 4, kc, ar, lda, b, ldb, cr, ldc, nc, e, rb);
      break;
    case 2:
      ukr_avx2(2, 2, kc, ar, lda, b, ldb, cr, ldc, nc, e, rb);
      break;
    case 3:
      ukr_avx2(3, 2, kc, ar, lda, b, ldb, cr, ldc, nc, e, rb);
      break;
    default:
      ukr_avx2(4, 1, kc, ar, lda, b, ldb, cr, ldc, nc, e, rb);
      break;
    }
  }
}

/// pack_conv_c with masked vector loads for stride 1 (the table's lane masks
/// turned into vector masks; masked-off lanes do not fault); other strides
/// use pack_conv_c.
static TARGET_AVX2 void pack_conv_avx2(const conv_geom *g, int64_t k0,
                                       int64_t kc, int64_t n0, int64_t ncols,
                                       float *dst) {
  const int64_t khw = g->khw, hw = g->hw;
  if (g->sw != 1 || khw > PACK_TABLE_MAX) {
    pack_conv_c(g, k0, kc, n0, ncols, dst);
    return;
  }
  const __m256i bit = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
  pack_entry table[PACK_TABLE_MAX];
  const int64_t c0 = k0 / khw, r0 = k0 % khw;
  for (int64_t p = 0; p * PANEL_N < ncols; ++p) {
    const int64_t pn0 = n0 + p * PANEL_N;
    const int lanes = (int)min64(PANEL_N, ncols - p * PANEL_N);
    float *out = dst + p * kc * PANEL_N;
    segment seg[PANEL_N];
    int nseg = 1;
    if (g->direct) {
      /* B[k][n] = in[k*hw + n]: one segment, one table entry per k. */
      table[0].off = pn0;
      table[0].lanes = (uint16_t)((1u << lanes) - 1);
    } else {
      nseg = make_segments(g, pn0, lanes, seg);
      if (khw * nseg > PACK_TABLE_MAX) {
        pack_conv_scalar(g, k0, kc, pn0, lanes, out);
        continue;
      }
      pack_table(g, seg, nseg, table);
    }
    const int64_t positions = g->direct ? 1 : khw;
    const float *plane = g->in + (g->direct ? k0 : c0) * hw;
    const pack_entry *e = table + (g->direct ? 0 : r0) * nseg;
    const pack_entry *const end = table + positions * nseg;
    for (int64_t kk = 0; kk < kc; ++kk) {
      __m256 v0 = _mm256_setzero_ps(), v1 = _mm256_setzero_ps();
      for (int s = 0; s < nseg; ++s, ++e) {
        const float *base = offset_ptr(plane, e->off);
        const __m256i m0 = _mm256_cmpeq_epi32(
            _mm256_and_si256(_mm256_set1_epi32(e->lanes & 0xFF), bit), bit);
        const __m256i m1 = _mm256_cmpeq_epi32(
            _mm256_and_si256(_mm256_set1_epi32(e->lanes >> 8), bit), bit);
        /* Segments are disjoint and masked-off lanes load 0: OR merges. */
        v0 = _mm256_or_ps(v0, _mm256_maskload_ps(base, m0));
        v1 = _mm256_or_ps(v1, _mm256_maskload_ps(offset_ptr(base, 8), m1));
      }
      _mm256_storeu_ps(out + kk * PANEL_N, v0);
      _mm256_storeu_ps(out + kk * PANEL_N + 8, v1);
      if (e == end) {
        e = table;
        plane += hw;
      }
    }
  }
}

/// pack_a_fn with 8 x 8 blocks: 8 rows of 8 floats loaded, transposed in
/// registers, stored as 8 consecutive panel rows (one k each). The rows of a
/// partial last panel and the columns past the last multiple of 8 go one
/// element at a time. Also the AVX-512 routine: its 8-float panel rows are
/// ymm vectors.
static TARGET_AVX2 void pack_a_avx2(const float *a, int64_t lda, int64_t rows, int64_t kc,
                                    float *dst) {
  const int64_t full = rows / PANEL_M * PANEL_M, kc8 = kc / 8 * 8;
  for (int64_t i = 0; i < full; i += PANEL_M) {
    const float *src = a + i * lda;
    float *out = dst + i * kc; /* panel i / 8 */
    for (int64_t kk = 0; kk < kc8; kk += 8) {
      __m256 r[8];
      for (int j = 0; j < 8; ++j)
        r[j] = _mm256_loadu_ps(src + j * lda + kk);
      /* Rows pairwise interleaved, then 2 x 2 blocks: u[k] (rows 0-3) and
       * u[k + 4] (rows 4-7) hold columns kk + k and kk + k + 4 in their
       * low and high 128-bit halves, which the stores pair up. */
      __m256 t[8], u[8];
      for (int j = 0; j < 8; j += 2) {
        t[j] = _mm256_unpacklo_ps(r[j], r[j + 1]);
        t[j + 1] = _mm256_unpackhi_ps(r[j], r[j + 1]);
      }
      for (int j = 0; j < 8; j += 4) {
        u[j] = _mm256_shuffle_ps(t[j], t[j + 2], 0x44);
        u[j + 1] = _mm256_shuffle_ps(t[j], t[j + 2], 0xEE);
        u[j + 2] = _mm256_shuffle_ps(t[j + 1], t[j + 3], 0x44);
        u[j + 3] = _mm256_shuffle_ps(t[j + 1], t[j + 3], 0xEE);
      }
      for (int k = 0; k < 4; ++k) {
        _mm256_storeu_ps(out + (kk + k) * PANEL_M, _mm256_permute2f128_ps(u[k], u[k + 4], 0x20));
        _mm256_storeu_ps(out + (kk + k + 4) * PANEL_M,
                         _mm256_permute2f128_ps(u[k], u[k + 4], 0x31));
      }
    }
    for (int64_t r = 0; r < PANEL_M; ++r)
      for (int64_t kk = kc8; kk < kc; ++kk)
        out[kk * PANEL_M + r] = src[r * lda + kk];
  }
  pack_a_rows_c(a, lda, full, rows, kc, dst);
}

/*--- AVX-512 ------------------------------------------------------------===*/

#define TARGET_AVX512 __attribute__((target("avx512f,fma,prfchw")))

/// The permutex2var index that takes the even lanes of two vectors (a
/// stride-2 row: lane j of the result is float 2j of the 32).
static ALWAYS_INLINE TARGET_AVX512 __m512i even_lanes(void) {
  return _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
}

static ALWAYS_INLINE TARGET_AVX512 __m512 silu16(__m512 x) {
  const float c[] = {SILU_EXP_COEFFS};
  __m512 t = _mm512_min_ps(_mm512_max_ps(_mm512_sub_ps(_mm512_setzero_ps(), x),
                                         _mm512_set1_ps(-87.0f)),
                           _mm512_set1_ps(88.0f));
  __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(t, _mm512_set1_ps(1.44269504f)),
                                  _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), t);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
  __m512 poly = _mm512_set1_ps(c[0]);
  for (int i = 1; i < 7; ++i)
    poly = _mm512_fmadd_ps(poly, r, _mm512_set1_ps(c[i]));
  __m512 d = _mm512_add_ps(_mm512_set1_ps(1.0f), _mm512_scalef_ps(poly, n));
  __m512 inv = _mm512_rcp14_ps(d);
  inv = _mm512_mul_ps(inv, _mm512_fnmadd_ps(d, inv, _mm512_set1_ps(2.0f)));
  return _mm512_mul_ps(x, inv);
}

/// activate8 for AVX-512 vectors.
static ALWAYS_INLINE TARGET_AVX512 void activate16(int64_t act, __m512 *x, const int n) {
  const __m512 zero = _mm512_setzero_ps(), one = _mm512_set1_ps(1.0f);
  switch (act) {
  case MLC_ACTIVATION_RELU:
#pragma GCC unroll 16
    for (int i = 0; i < n; ++i)
      x[i] = _mm512_max_ps(zero, x[i]);
    break;
  case MLC_ACTIVATION_RELU6:
#pragma GCC unroll 16
    for (int i = 0; i < n; ++i)
      x[i] = _mm512_min_ps(_mm512_set1_ps(6.0f), _mm512_max_ps(zero, x[i]));
    break;
  case MLC_ACTIVATION_HARDSWISH:
#pragma GCC unroll 16
    for (int i = 0; i < n; ++i) {
      const __m512 g = _mm512_add_ps(_mm512_mul_ps(x[i], _mm512_set1_ps(1.0f / 6.0f)),
                                     _mm512_set1_ps(0.5f));
      x[i] = _mm512_mul_ps(x[i], _mm512_min_ps(one, _mm512_max_ps(zero, g)));
    }
    break;
  case MLC_ACTIVATION_SILU:
#pragma GCC unroll 16
    for (int i = 0; i < n; ++i)
      x[i] = silu16(x[i]);
    break;
  default:
    break;
  }
}

static TARGET_AVX512 void activate_avx512(int64_t act, float *x, int64_t n) {
  if (act == MLC_ACTIVATION_NONE)
    return;
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 m = n - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (n - i)) - 1);
    __m512 v = _mm512_maskz_loadu_ps(m, x + i);
    activate16(act, &v, 1);
    _mm512_mask_storeu_ps(x + i, m, v);
  }
}


/// Fetches the MR x 16*NV tile of C (often not in cache: the output is
/// written once) while the FMAs run, instead of stalling on it in the
/// epilogue.
static ALWAYS_INLINE void prefetch_tile(const int MR, const int NV, const float *c, int64_t ldc) {
#pragma GCC unroll 16
  for (int r = 0; r < MR; ++r) {
    __builtin_prefetch(c + r * ldc, 1, 3);
    __builtin_prefetch(c + r * ldc + 16 * NV - 1, 1, 3);
  }
}

/// The epilogue of an MR (<= 8) x 16*NV tile: adds what C holds
/// (e->accumulate) and the biases, applies the activation and stores the
/// first nc columns.
static ALWAYS_INLINE TARGET_AVX512 void tile_store_avx512(const int MR, const int NV,
                                                          __m512 acc[][2], float *c,
                                                          int64_t ldc, int nc,
                                                          const tile_epilogue *e) {
  /* Locals: the stores to C would otherwise reload *e for every row. */
  const bool accumulate = e->accumulate;
  const float *const row_bias = e->row_bias;
  const float *const col_bias = e->col_bias;
  /* Column masks: the last vector may be partial. */
  __mmask16 mask[2];
  bool full = nc == 16 * NV;
#pragma GCC unroll 2
  for (int v = 0; v < NV; ++v) {
    const int cols = nc - 16 * v;
    mask[v] = cols >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << cols) - 1);
  }
  const __m512 zero = _mm512_setzero_ps();
  __m512 cb[2];
#pragma GCC unroll 2
  for (int v = 0; v < NV; ++v)
    cb[v] = col_bias ? _mm512_maskz_loadu_ps(mask[v], col_bias + 16 * v) : zero;
  __m512 x[8 * 2]; /* [MR][NV] */
#pragma GCC unroll 16
  for (int r = 0; r < MR; ++r) {
    const float *cr = c + r * ldc;
    const __m512 rb = row_bias ? _mm512_set1_ps(row_bias[r]) : zero;
#pragma GCC unroll 2
    for (int v = 0; v < NV; ++v) {
      __m512 y = acc[r][v];
      if (accumulate)
        y = _mm512_add_ps(y, _mm512_maskz_loadu_ps(mask[v], cr + 16 * v));
      if (row_bias || col_bias)
        y = _mm512_add_ps(y, _mm512_add_ps(cb[v], rb));
      x[r * NV + v] = y;
    }
  }
  activate16(e->activation, x, MR * NV);
#pragma GCC unroll 16
  for (int r = 0; r < MR; ++r)
#pragma GCC unroll 2
    for (int v = 0; v < NV; ++v) {
      if (full)
        _mm512_storeu_ps(c + r * ldc + 16 * v, x[r * NV + v]);
      else
        _mm512_mask_storeu_ps(c + r * ldc + 16 * v, mask[v], x[r * NV + v]);
    }
}

/// MR (<= 8) rows x 16*NV columns (NV = 1 or 2 panels); KU accumulator sets
/// over k when MR*NV is small. With MR = 8, NV = 2: 16 zmm accumulators, and
/// per k two vector loads and eight broadcast FMAs per row pair.
static ALWAYS_INLINE TARGET_AVX512 void
ukr_avx512(const int MR, const int NV, const int KU, int64_t kc, const float *a, int64_t lda,
           const float *b0, const float *b1, int64_t ldb, float *c, int64_t ldc, int nc,
           const tile_epilogue *e) {
  __m512 acc[8][8][2]; /* [KU][MR][NV]; fixed sizes keep it in registers */
  prefetch_tile(MR, NV, c, ldc);
#pragma GCC unroll 16
  for (int u = 0; u < KU; ++u)
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r)
#pragma GCC unroll 2
      for (int v = 0; v < NV; ++v)
        acc[u][r][v] = _mm512_setzero_ps();
  int64_t kk = 0;
  for (; kk + KU <= kc; kk += KU) {
#pragma GCC unroll 16
    for (int u = 0; u < KU; ++u) {
      __m512 bv[2];
      bv[0] = _mm512_loadu_ps(b0 + (kk + u) * ldb);
      if (NV > 1)
        bv[NV - 1] = _mm512_loadu_ps(b1 + (kk + u) * ldb);
#pragma GCC unroll 16
      for (int r = 0; r < MR; ++r) {
        const __m512 s = _mm512_set1_ps(a[(kk + u) * lda + r]);
#pragma GCC unroll 2
        for (int v = 0; v < NV; ++v)
          acc[u][r][v] = _mm512_fmadd_ps(s, bv[v], acc[u][r][v]);
      }
    }
  }
  for (; kk < kc; ++kk) {
    __m512 bv[2];
    bv[0] = _mm512_loadu_ps(b0 + kk * ldb);
    if (NV > 1)
      bv[NV - 1] = _mm512_loadu_ps(b1 + kk * ldb);
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) {
      const __m512 s = _mm512_set1_ps(a[kk * lda + r]);
#pragma GCC unroll 2
      for (int v = 0; v < NV; ++v)
        acc[0][r][v] = _mm512_fmadd_ps(s, bv[v], acc[0][r][v]);
    }
  }
#pragma GCC unroll 16
  for (int u = 1; u < KU; ++u)
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r)
#pragma GCC unroll 2
      for (int v = 0; v < NV; ++v)
        acc[0][r][v] = _mm512_add_ps(acc[0][r][v], acc[u][r][v]);

  tile_store_avx512(MR, NV, acc[0], c, ldc, nc, e);
}

static TARGET_AVX512 void tile_avx512(int64_t kc, const float *a, int64_t lda,
                                      const float *b, int64_t b_next, int64_t ldb,
                                      float *c, int64_t ldc, int mr, int nc,
                                      const tile_epilogue *e) {
  const float *b1 = b + b_next;
  /* KU: enough accumulators (MR*NV*KU >= 8) to cover the FMA latency. */
#define MLC_UKR_CASE(MRV, KU1, KU2)                                            \
  case MRV:                                                                    \
    if (nc > 16)                                                               \
      ukr_avx512(MRV, 2, KU2, kc, a, lda, b, b1, ldb, c, ldc, nc, e);          \
    else                                                                       \
      ukr_avx512(MRV, 1, KU1, kc, a, lda, b, b1, ldb, c, ldc, nc, e);          \
    break;
  switch (mr) {
    MLC_UKR_CASE(1, 8, 4)
    MLC_UKR_CASE(2, 4, 2)
    MLC_UKR_CASE(3, 3, 2)
    MLC_UKR_CASE(4, 2, 1)
    MLC_UKR_CASE(5, 2, 1)
    MLC_UKR_CASE(6, 2, 1)
    MLC_UKR_CASE(7, 2, 1)
  default:
    MLC_UKR_CASE(8, 1, 1)
  }
#undef MLC_UKR_CASE
}

/// One tap of ukr_shifted_avx512: acc += A[., (ch, tap)] x B[(ch, tap), .]
/// for the K block's channels. Vector v of B is loaded masked (mask[v]) only
/// where MASKED[v] (the tap's window leaves the image in that vector's
/// lanes, or some lane is past the tile); a plain load is one operation
/// less per k, which is 5% of the tile.
static ALWAYS_INLINE TARGET_AVX512 void
ukr_shifted_tap_avx512(const int MR, const int NV, const bool M0, const bool M1,
                       int64_t channels, int64_t khw, int64_t hw, const float *at,
                       const float *src, __mmask16 m0, __mmask16 m1, __m512 acc[][2]) {
  for (int64_t ch = 0; ch < channels; ++ch, src = offset_ptr(src, hw), at += khw * CONV_MR) {
    __m512 bv[2];
    bv[0] = M0 ? _mm512_maskz_loadu_ps(m0, src) : _mm512_loadu_ps(src);
    if (NV > 1)
      bv[1] = M1 ? _mm512_maskz_loadu_ps(m1, offset_ptr(src, 16))
                 : _mm512_loadu_ps(offset_ptr(src, 16));
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) {
      const __m512 s = _mm512_set1_ps(at[r]);
#pragma GCC unroll 2
      for (int v = 0; v < NV; ++v)
        acc[r][v] = _mm512_fmadd_ps(s, bv[v], acc[r][v]);
    }
  }
}

/// ukr_avx512 (KU = 1) on a B read in place (shifted_b), tap by tap and
/// channel by channel within a tap, so that a tap's masks stay in mask
/// registers. An unmasked vector only reads pixels inside the image, so
/// never past the input.
static ALWAYS_INLINE TARGET_AVX512 void ukr_shifted_avx512(const int MR, const int NV,
                                                           int64_t kc, const float *a,
                                                           const shifted_b *b, float *c,
                                                           int64_t ldc, int nc,
                                                           const tile_epilogue *e) {
  __m512 acc[8][2];
  prefetch_tile(MR, NV, c, ldc);
#pragma GCC unroll 16
  for (int r = 0; r < MR; ++r)
#pragma GCC unroll 2
    for (int v = 0; v < NV; ++v)
      acc[r][v] = _mm512_setzero_ps();
  const int64_t khw = b->khw, hw = b->hw, channels = kc / khw;
  for (int64_t t = 0; t < khw; ++t) {
    const __mmask16 m0 = (__mmask16)b->mask[t], m1 = (__mmask16)(b->mask[t] >> 16);
    const float *src = offset_ptr(b->in, b->off[t]);
    const float *at = a + t * CONV_MR;
    const bool full0 = m0 == 0xFFFF, full1 = NV == 1 || m1 == 0xFFFF;
    if (full0 && full1)
      ukr_shifted_tap_avx512(MR, NV, false, false, channels, khw, hw, at, src, m0, m1, acc);
    else if (full0)
      ukr_shifted_tap_avx512(MR, NV, false, true, channels, khw, hw, at, src, m0, m1, acc);
    else if (full1)
      ukr_shifted_tap_avx512(MR, NV, true, false, channels, khw, hw, at, src, m0, m1, acc);
    else
      ukr_shifted_tap_avx512(MR, NV, true, true, channels, khw, hw, at, src, m0, m1, acc);
  }
  tile_store_avx512(MR, NV, acc, c, ldc, nc, e);
}

static TARGET_AVX512 void tile_shifted_avx512(int64_t kc, const float *a, const shifted_b *b,
                                              float *c, int64_t ldc, int mr, int nc,
                                              const tile_epilogue *e) {
#define MLC_UKR_CASE(MRV)                                                      \
  case MRV:                                                                    \
    if (nc > 16)                                                               \
      ukr_shifted_avx512(MRV, 2, kc, a, b, c, ldc, nc, e);                     \
    else                                                                       \
      ukr_shifted_avx512(MRV, 1, kc, a, b, c, ldc, nc, e);                     \
    break;
  switch (mr) {
    MLC_UKR_CASE(1)
    MLC_UKR_CASE(2)
    MLC_UKR_CASE(3)
    MLC_UKR_CASE(4)
    MLC_UKR_CASE(5)
    MLC_UKR_CASE(6)
    MLC_UKR_CASE(7)
  default:
    MLC_UKR_CASE(8)
  }
#undef MLC_UKR_CASE
}

/// pack_conv_c with one masked load per (k, row segment) instead of one
/// scalar copy per element. The loads of a panel depend on the kernel
/// position (ky, kx) and the segment but not on the channel, so each panel
/// first builds a table of them for every kernel position; the loop over k
/// then only walks the table and steps the channel plane.
static TARGET_AVX512 void pack_conv_avx512(const conv_geom *g, int64_t k0,
                                           int64_t kc, int64_t n0,
                                           int64_t ncols, float *dst) {
  const int64_t khw = g->khw, hw = g->hw;
  if (g->direct) {
    /* B[k][n] = in[k*hw + n]: row by row, so that each k reads one
     * contiguous run of the input (one page, not one per panel). */
    const int64_t np = ceil_div(ncols, PANEL_N);
    const float *src = g->in + k0 * hw + n0;
    for (int64_t kk = 0; kk < kc; ++kk, src += hw)
      for (int64_t p = 0; p < np; ++p) {
        const int lanes = (int)min64(PANEL_N, ncols - p * PANEL_N);
        const __mmask16 m = (__mmask16)((1u << lanes) - 1);
        _mm512_store_ps(dst + (p * kc + kk) * PANEL_N,
                        _mm512_maskz_loadu_ps(m, src + p * PANEL_N));
      }
    return;
  }
  const __m512i iota =
      _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m512i even = even_lanes();
  const int64_t sw = g->sw;
  pack_entry table[PACK_TABLE_MAX];
  __m512i gather_index[PANEL_N];
  const int64_t c0 = k0 / khw, r0 = k0 % khw;
  /* Offsets of the kernel positions, for panels that lie in one output row
   * and whose window stays inside the image (no padding to apply). */
  int64_t position_off[PACK_TABLE_MAX];
  const bool interior_ok = (sw == 1 || sw == 2) && khw <= PACK_TABLE_MAX;
  if (interior_ok)
    for (int64_t ky = 0, r = 0; ky < g->kh; ++ky)
      for (int64_t kx = 0; kx < g->kw; ++kx, ++r)
        position_off[r] = ky * g->dh * g->w + kx * g->dw;
  for (int64_t p = 0; p * PANEL_N < ncols; ++p) {
    const int64_t pn0 = n0 + p * PANEL_N;
    const int lanes = (int)min64(PANEL_N, ncols - p * PANEL_N);
    float *out = dst + p * kc * PANEL_N;
    segment seg[PANEL_N];
    const int nseg = make_segments(g, pn0, lanes, seg);
    if (interior_ok && nseg == 1 && seg[0].iy0 >= 0 &&
        seg[0].iy0 + (g->kh - 1) * g->dh < g->h && seg[0].ix0 >= 0 &&
        seg[0].ix0 + (lanes - 1) * sw + (g->kw - 1) * g->dw < g->w) {
      const __mmask16 lm = (__mmask16)((1u << lanes) - 1);
      const float *plane = g->in + c0 * hw + seg[0].iy0 * g->w + seg[0].ix0;
      const int64_t *off = position_off + r0, *const end = position_off + khw;
      if (sw == 1) {
        for (int64_t kk = 0; kk < kc; ++kk) {
          _mm512_store_ps(out + kk * PANEL_N,
                          _mm512_maskz_loadu_ps(lm, plane + *off));
          if (++off == end) {
            off = position_off;
            plane += hw;
          }
        }
      } else {
        const uint32_t m32 = (uint32_t)((1ull << (2 * lanes - 1)) - 1);
        for (int64_t kk = 0; kk < kc; ++kk) {
          const __m512 lo = _mm512_maskz_loadu_ps((__mmask16)m32, plane + *off);
          const __m512 hi =
              _mm512_maskz_loadu_ps((__mmask16)(m32 >> 16), plane + *off + 16);
          _mm512_store_ps(out + kk * PANEL_N,
                          _mm512_permutex2var_ps(lo, even, hi));
          if (++off == end) {
            off = position_off;
            plane += hw;
          }
        }
      }
      continue;
    }
    if (khw * nseg > PACK_TABLE_MAX) {
      pack_conv_scalar(g, k0, kc, pn0, lanes, out);
      continue;
    }
    pack_table(g, seg, nseg, table);
    const float *plane = g->in + c0 * hw;
    const pack_entry *e = table + r0 * nseg, *const end = table + khw * nseg;
    if (sw == 1 && nseg == 1) {
      /* The common case: the panel lies in one output row. */
      for (int64_t kk = 0; kk < kc; ++kk) {
        _mm512_store_ps(out + kk * PANEL_N,
                        _mm512_maskz_loadu_ps((__mmask16)e->lanes,
                                              offset_ptr(plane, e->off)));
        if (++e == end) {
          e = table;
          plane += hw;
        }
      }
      continue;
    }
    if (sw > 2)
      for (int s = 0; s < nseg; ++s)
        gather_index[s] = _mm512_mullo_epi32(
            _mm512_sub_epi32(iota, _mm512_set1_epi32(seg[s].l0)),
            _mm512_set1_epi32((int)sw));
    for (int64_t kk = 0; kk < kc; ++kk) {
      __m512 v = _mm512_setzero_ps();
      for (int s = 0; s < nseg; ++s, ++e) {
        const __mmask16 lm = (__mmask16)e->lanes;
        const float *base = offset_ptr(plane, e->off);
        if (sw == 1) {
          v = _mm512_mask_loadu_ps(v, lm, base);
        } else if (sw == 2) {
          const __m512 lo = _mm512_maskz_loadu_ps((__mmask16)e->m32, base);
          const __m512 hi = _mm512_maskz_loadu_ps((__mmask16)(e->m32 >> 16),
                                                  offset_ptr(base, 16));
          v = _mm512_mask_mov_ps(v, lm, _mm512_permutex2var_ps(lo, even, hi));
        } else {
          v = _mm512_mask_i32gather_ps(v, lm, gather_index[s], base, 4);
        }
      }
      _mm512_store_ps(out + kk * PANEL_N, v);
      if (e == end) {
        e = table;
        plane += hw;
      }
    }
  }
}

/// ct[c * ldct + 16 * v ..] (+)= acc[v][c] for the CV x NCOL sums of a
/// few-columns tile.
static ALWAYS_INLINE TARGET_AVX512 void store_acc_t_avx512(const int CV, const int NCOL,
                                                           __m512 acc[][8], float *ct,
                                                           int64_t ldct, bool accumulate) {
#pragma GCC unroll 8
  for (int c = 0; c < NCOL; ++c)
#pragma GCC unroll 4
    for (int v = 0; v < CV; ++v) {
      float *dst = ct + c * ldct + 16 * v;
      __m512 x = acc[v][c];
      if (accumulate)
        x = _mm512_add_ps(x, _mm512_loadu_ps(dst));
      _mm512_storeu_ps(dst, x);
    }
}

/// One k of a few-columns tile: acc[v][c] += (the K row at ap[v]) x
/// x[xi[c]] (x[c] when xi is NULL).
static ALWAYS_INLINE TARGET_AVX512 void fma_t_avx512(const int CV, const int NCOL,
                                                     const float *const *ap, const float *x,
                                                     const int64_t *xi, __m512 acc[][8]) {
  __m512 av[4];
#pragma GCC unroll 4
  for (int v = 0; v < CV; ++v)
    av[v] = _mm512_loadu_ps(ap[v]);
#pragma GCC unroll 8
  for (int c = 0; c < NCOL; ++c) {
    const __m512 s = _mm512_set1_ps(x[xi ? xi[c] : c]);
#pragma GCC unroll 4
    for (int v = 0; v < CV; ++v)
      acc[v][c] = _mm512_fmadd_ps(av[v], s, acc[v][c]);
  }
}

static ALWAYS_INLINE TARGET_AVX512 void zero_acc_t_avx512(const int CV, const int NCOL,
                                                          __m512 acc[][8]) {
#pragma GCC unroll 4
  for (int v = 0; v < CV; ++v)
#pragma GCC unroll 8
    for (int c = 0; c < NCOL; ++c)
      acc[v][c] = _mm512_setzero_ps();
}

/// CV (1 to 4) vectors of 16 output channels x NCOL (<= 8; <= 4 with 4
/// vectors) columns: per k, each channel vector is one K row of a weight
/// panel, and each column one broadcast shared by the CV FMAs.
static ALWAYS_INLINE TARGET_AVX512 void
ukr_t_avx512(const int CV, const int NCOL, int64_t kc, const float *const *a,
             const float *b, float *ct, int64_t ldct, bool accumulate) {
  __m512 acc[4][8];
  zero_acc_t_avx512(CV, NCOL, acc);
  for (int64_t kk = 0; kk < kc; ++kk) {
    const float *ap[4];
#pragma GCC unroll 4
    for (int v = 0; v < CV; ++v)
      ap[v] = a[v] + kk * CONV_MR;
    fma_t_avx512(CV, NCOL, ap, b + kk * PANEL_N, NULL, acc);
  }
  store_acc_t_avx512(CV, NCOL, acc, ct, ldct, accumulate);
}

/// ukr_t_avx512 on a direct_b: tap by tap, and channel by channel within a
/// tap (the weights of (ch, tap) are K row ch * khw + tap of the panels).
static ALWAYS_INLINE TARGET_AVX512 void
ukr_tb_avx512(const int CV, const int NCOL, int64_t kc, const float *const *a,
              const direct_b *b, float *ct, int64_t ldct, bool accumulate) {
  __m512 acc[4][8];
  zero_acc_t_avx512(CV, NCOL, acc);
  int64_t col[8];
#pragma GCC unroll 8
  for (int c = 0; c < NCOL; ++c)
    col[c] = b->col[c];
  const int64_t khw = b->khw, plane = b->plane, channels = kc / khw;
  for (int64_t t = 0; t < khw; ++t) {
    const float *src = b->in + b->off[t];
    const float *ap[4];
#pragma GCC unroll 4
    for (int v = 0; v < CV; ++v)
      ap[v] = a[v] + t * CONV_MR;
    for (int64_t ch = 0; ch < channels; ++ch, src += plane) {
      fma_t_avx512(CV, NCOL, ap, src, col, acc);
#pragma GCC unroll 4
      for (int v = 0; v < CV; ++v)
        ap[v] += khw * CONV_MR;
    }
  }
  store_acc_t_avx512(CV, NCOL, acc, ct, ldct, accumulate);
}

/// The switch of the few-columns tiles over ncol (<= 8) and cv: UKR(CV,
/// NCOL) with CV 3 or 4 only for at most 4 columns.
#define MLC_TILE_T_SWITCH(UKR)                                                 \
  switch (ncol) {                                                              \
    MLC_TILE_T_CASE(UKR, 1)                                                    \
    MLC_TILE_T_CASE(UKR, 2)                                                    \
    MLC_TILE_T_CASE(UKR, 3)                                                    \
    MLC_TILE_T_CASE(UKR, 4)                                                    \
    MLC_TILE_T_CASE(UKR, 5)                                                    \
    MLC_TILE_T_CASE(UKR, 6)                                                    \
    MLC_TILE_T_CASE(UKR, 7)                                                    \
  default:                                                                     \
    MLC_TILE_T_CASE(UKR, 8)                                                    \
  }
#define MLC_TILE_T_CASE(UKR, N)                                                \
  case N:                                                                      \
    if (cv == 4 && N <= 4)                                                     \
      UKR(4, N <= 4 ? N : 4);                                                  \
    else if (cv == 3 && N <= 4)                                                \
      UKR(3, N <= 4 ? N : 4);                                                  \
    else if (cv > 1)                                                           \
      UKR(2, N);                                                               \
    else                                                                       \
      UKR(1, N);                                                               \
    break;

static TARGET_AVX512 void tile_t_avx512(int64_t kc, const float *const *a,
                                        const float *b, float *ct, int64_t ldct,
                                        int cv, int ncol, bool accumulate) {
#define MLC_UKR(CV, N) ukr_t_avx512(CV, N, kc, a, b, ct, ldct, accumulate)
  MLC_TILE_T_SWITCH(MLC_UKR)
#undef MLC_UKR
}

static TARGET_AVX512 void tile_tb_avx512(int64_t kc, const float *const *a,
                                         const direct_b *b, float *ct, int64_t ldct,
                                         int cv, int ncol, bool accumulate) {
#define MLC_UKR(CV, N) ukr_tb_avx512(CV, N, kc, a, b, ct, ldct, accumulate)
  MLC_TILE_T_SWITCH(MLC_UKR)
#undef MLC_UKR
}
#undef MLC_TILE_T_CASE
#undef MLC_TILE_T_SWITCH

/// Transposes the 16 x 16 floats in r: lane j of r[i] goes to lane i of r[j].
static ALWAYS_INLINE TARGET_AVX512 void transpose16_avx512(__m512 r[16]) {
  __m512 t[16];
  /* Per 128-bit lane k, t[2m] holds columns 4k, 4k+1 of rows 2m, 2m+1 and
   * t[2m+1] columns 4k+2, 4k+3. */
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
  }
  /* r[4g + j], 128-bit lane k: column 4k + j of rows 4g .. 4g+3. */
  for (int i = 0; i < 16; i += 4) {
    const __m512d a = _mm512_castps_pd(t[i]), b = _mm512_castps_pd(t[i + 1]);
    const __m512d c = _mm512_castps_pd(t[i + 2]), d = _mm512_castps_pd(t[i + 3]);
    r[i] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, c));
    r[i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, c));
    r[i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(b, d));
    r[i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(b, d));
  }
  /* Gather the four row groups' lane k into one vector per column 4k + j. */
  for (int j = 0; j < 4; ++j) {
    t[j] = _mm512_shuffle_f32x4(r[j], r[j + 4], 0x88);
    t[j + 4] = _mm512_shuffle_f32x4(r[j], r[j + 4], 0xdd);
    t[j + 8] = _mm512_shuffle_f32x4(r[j + 8], r[j + 12], 0x88);
    t[j + 12] = _mm512_shuffle_f32x4(r[j + 8], r[j + 12], 0xdd);
  }
  for (int j = 0; j < 4; ++j) {
    r[j] = _mm512_shuffle_f32x4(t[j], t[j + 8], 0x88);
    r[j + 8] = _mm512_shuffle_f32x4(t[j], t[j + 8], 0xdd);
    r[j + 4] = _mm512_shuffle_f32x4(t[j + 4], t[j + 12], 0x88);
    r[j + 12] = _mm512_shuffle_f32x4(t[j + 4], t[j + 12], 0xdd);
  }
}

/// store_t_fn in blocks of 16 columns x 16 channels: 16 column vectors of
/// channels loaded, transposed in registers, stored as 16 channel rows.
/// Reads channels up to the next multiple of 16 of each column of ct (within
/// ldct, which conv_task_small_n rounds up to 16).
static TARGET_AVX512 void store_t_avx512(const float *ct, int64_t ldct, int64_t rows,
                                         int64_t ncols, const float *bias, bool residual,
                                         float *out, int64_t ldo) {
  for (int64_t m0 = 0; m0 < rows; m0 += 16) {
    const int nr = (int)min64(16, rows - m0);
    for (int64_t n0 = 0; n0 < ncols; n0 += 16) {
      const int nn = (int)min64(16, ncols - n0);
      const __mmask16 cols = (__mmask16)((1u << nn) - 1);
      __m512 v[16];
#pragma GCC unroll 16
      for (int i = 0; i < 16; ++i)
        v[i] = i < nn ? _mm512_loadu_ps(ct + (n0 + i) * ldct + m0) : _mm512_setzero_ps();
      transpose16_avx512(v);
#pragma GCC unroll 16
      for (int j = 0; j < 16; ++j) {
        if (j >= nr)
          break;
        float *o = out + (m0 + j) * ldo + n0;
        __m512 x = v[j];
        if (bias)
          x = _mm512_add_ps(x, _mm512_set1_ps(bias[m0 + j]));
        if (residual)
          x = _mm512_add_ps(x, _mm512_maskz_loadu_ps(cols, o));
        _mm512_mask_storeu_ps(o, cols, x);
      }
    }
  }
}

/// Most (column block, kx) entries of dw_avx512's table; wider outputs use
/// dw_c.
#define DW_TABLE_MAX 1024

/// Output vectors (rows x blocks of 16 columns) that dw_avx512 computes
/// together: independent FMA chains to cover the FMA latency.
#define DW_GROUP 4

/// The 16 input values of a depthwise table entry (lanes `lm`, offsets and
/// the stride-2 load mask from dw_avx512's table) from `base`: SW 1 is one
/// masked load, SW 2 two loads whose even lanes are kept, any other stride a
/// gather with `stride_index`.
static ALWAYS_INLINE TARGET_AVX512 __m512 dw_load_avx512(const int SW, __mmask16 lm,
                                                         uint32_t m32, const float *base,
                                                         __m512i stride_index) {
  if (SW == 1)
    return _mm512_maskz_loadu_ps(lm, base);
  if (SW == 2) {
    const __m512i even = even_lanes();
    const uint32_t m = lm ? m32 : 0;
    const __m512 lo = _mm512_maskz_loadu_ps((__mmask16)m, base);
    const __m512 hi = _mm512_maskz_loadu_ps((__mmask16)(m >> 16), offset_ptr(base, 16));
    return _mm512_maskz_mov_ps(lm, _mm512_permutex2var_ps(lo, even, hi));
  }
  return _mm512_mask_i32gather_ps(_mm512_setzero_ps(), lm, stride_index, base, 4);
}

/// One group of DW_GROUP output vectors (items: y * nxb + xb) of one plane.
/// SW: 1, 2, or 0 for any other stride (gathers).
static ALWAYS_INLINE TARGET_AVX512 void
dw_group_avx512(const int SW, const mlc_conv2d_params *p, const float *in,
                const float *wk, int64_t ts, __m512 bias, int64_t item0,
                int64_t nitems, int64_t nxb, const int64_t *off,
                const uint32_t *m32, const __mmask16 *lanes_of, float *out) {
  const __m512i stride_index = _mm512_mullo_epi32(
      _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
      _mm512_set1_epi32((int)p->stride_w));
  const int64_t kw = p->kw, w = p->w;
  __m512 acc[DW_GROUP];
  int64_t y[DW_GROUP], xb[DW_GROUP];
#pragma GCC unroll 4
  for (int u = 0; u < DW_GROUP; ++u) {
    acc[u] = bias;
    const int64_t item = item0 + (u < nitems ? u : 0);
    y[u] = item / nxb;
    xb[u] = item % nxb;
  }
  for (int64_t ky = 0; ky < p->kh; ++ky) {
    const float *row[DW_GROUP];
    __mmask16 row_ok[DW_GROUP];
#pragma GCC unroll 4
    for (int u = 0; u < DW_GROUP; ++u) {
      const int64_t iy = y[u] * p->stride_h + ky * p->dilation_h - p->pad_top;
      const bool ok = u < nitems && iy >= 0 && iy < p->h;
      row_ok[u] = ok ? (__mmask16)0xFFFF : (__mmask16)0;
      row[u] = in + (ok ? iy : 0) * w;
    }
    const float *wrow = wk + ky * kw * ts;
    for (int64_t kx = 0; kx < kw; ++kx) {
      const __m512 wt = _mm512_set1_ps(wrow[kx * ts]);
#pragma GCC unroll 4
      for (int u = 0; u < DW_GROUP; ++u) {
        const int64_t i = xb[u] * kw + kx;
        const __mmask16 lm = lanes_of[i] & row_ok[u];
        const __m512 v = dw_load_avx512(SW, lm, m32[i], offset_ptr(row[u], off[i]),
                                        stride_index);
        acc[u] = _mm512_fmadd_ps(wt, v, acc[u]);
      }
    }
  }
  activate16(p->activation, acc, DW_GROUP);
#pragma GCC unroll 4
  for (int u = 0; u < DW_GROUP; ++u) {
    if (u >= nitems)
      break;
    const int64_t lanes = min64(16, p->ow - xb[u] * 16);
    _mm512_mask_storeu_ps(out + y[u] * p->ow + xb[u] * 16,
                          (__mmask16)((1u << lanes) - 1), acc[u]);
  }
}

/// Output rows that the interior kernel computes together.
#define DW_ROWS 4

/// DW_ROWS output rows from y of a depthwise plane whose taps all lie
/// inside the image vertically: KH x KW taps at stride 1, dilation 1
/// (stride 2: dw_s2_plane_avx512). Every 16-column block, with the lanes and offsets of
/// dw_avx512's table for the image's left and right edges. Each input row
/// vector is loaded once per kx and feeds every output row it contributes to
/// (for 3x3 stride 1: 18 loads for 36 multiply-adds); the weights stay in
/// registers.
static ALWAYS_INLINE TARGET_AVX512 void
dw_rows_avx512(const int KH, const int KW,
               const mlc_conv2d_params *p, const float *in, const float *wk,
               int64_t ts, __m512 bias, int64_t y, int64_t nxb,
               const int64_t *off, const uint32_t *m32,
               const __mmask16 *lanes_of, float *out) {
  __m512 wv[KH * KW];
  for (int t = 0; t < KH * KW; ++t)
    wv[t] = _mm512_set1_ps(wk[t * ts]);
  const int64_t w = p->w, ow = p->ow;
  const float *first = in + (y - p->pad_top) * w; /* row of r = 0, ky = 0 */
  const int NIN = DW_ROWS - 1 + KH; /* input rows the group reads */
  for (int64_t xb = 0; xb < nxb; ++xb) {
    __m512 acc[DW_ROWS];
    for (int r = 0; r < DW_ROWS; ++r)
      acc[r] = bias;
    for (int i = 0; i < NIN; ++i) {
      const float *row = first + i * w;
      for (int kx = 0; kx < KW; ++kx) {
        const int64_t t = xb * KW + kx;
        const __m512 v = dw_load_avx512(1, lanes_of[t], m32[t], offset_ptr(row, off[t]),
                                        _mm512_setzero_si512());
        for (int r = 0; r < DW_ROWS; ++r) {
          const int ky = i - r;
          if (ky >= 0 && ky < KH)
            acc[r] = _mm512_fmadd_ps(wv[ky * KW + kx], v, acc[r]);
        }
      }
    }
    activate16(p->activation, acc, DW_ROWS);
    const int64_t lanes = min64(16, ow - xb * 16);
    for (int r = 0; r < DW_ROWS; ++r)
      _mm512_mask_storeu_ps(out + (y + r) * ow + xb * 16, (__mmask16)((1u << lanes) - 1), acc[r]);
  }
}

/// Bits f of 16 whose input column x + f lies inside a row of w columns.
static inline __mmask16 cols_inside(int64_t x, int64_t w) {
  const int64_t lo = max64(0, -x), hi = min64(16, w - x);
  return lo >= hi ? 0 : (__mmask16)(((1u << hi) - 1) & ~((1u << lo) - 1));
}

/// A depthwise plane with a K x K kernel (3 or 5) at stride 2, dilation 1,
/// any padding, DW_ROWS output rows at a time. Per input row and block of
/// 16 output columns, the 32 + 16 input floats the
/// block reads are loaded once (masked to the row: columns outside it read
/// as zeros) and split into their even and odd floats; tap kx reads the
/// even (kx even) or odd ones shifted by kx / 2 lanes. So each row costs
/// three loads and two to five shuffles for all K taps, where loading per
/// tap cost two loads and a shuffle each, with the table's masks (a 3x3
/// plane from 112x112 to 56x56 ran at a quarter of the speed of one at
/// stride 1).
static ALWAYS_INLINE TARGET_AVX512 void dw_s2_plane_avx512(const int K,
                                                           const mlc_conv2d_params *p,
                                                           const float *in, const float *wk,
                                                           int64_t ts, __m512 bias, float *out) {
  __m512 wv[5 * 5];
  for (int t = 0; t < K * K; ++t)
    wv[t] = _mm512_set1_ps(wk[t * ts]);
  const int64_t w = p->w, h = p->h, oh = p->oh, ow = p->ow, nxb = ceil_div(ow, 16);
  const __m512i even = even_lanes();
  const __m512i odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
  const int NIN = (DW_ROWS - 1) * 2 + K; /* input rows a group of rows reads */
  for (int64_t y = 0; y < oh; y += DW_ROWS) {
    for (int64_t xb = 0; xb < nxb; ++xb) {
      const int64_t x0 = xb * 32 - p->pad_left; /* input column of tap 0, lane 0 */
      const __mmask16 ma = cols_inside(x0, w), mb = cols_inside(x0 + 16, w),
                      mc = cols_inside(x0 + 32, w);
      __m512 acc[DW_ROWS];
      for (int r = 0; r < DW_ROWS; ++r)
        acc[r] = bias;
      for (int i = 0; i < NIN; ++i) {
        const int64_t iy = y * 2 - p->pad_top + i;
        if (iy < 0 || iy >= h)
          continue;
        const float *row = offset_ptr(in, iy * w + x0);
        const __m512 a = _mm512_maskz_loadu_ps(ma, row);
        const __m512 b = _mm512_maskz_loadu_ps(mb, offset_ptr(row, 16));
        const __m512 c = _mm512_maskz_loadu_ps(mc, offset_ptr(row, 32));
        __m512 tap[5];
        tap[0] = _mm512_permutex2var_ps(a, even, b);
        tap[1] = _mm512_permutex2var_ps(a, odd, b);
        const __m512i e = _mm512_castps_si512(tap[0]);
        if (K == 3) {
          tap[2] = _mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(c), e, 1));
        } else {
          const __m512i ce = _mm512_castps_si512(_mm512_permutexvar_ps(even, c));
          const __m512i co = _mm512_castps_si512(_mm512_permutexvar_ps(odd, c));
          tap[2] = _mm512_castsi512_ps(_mm512_alignr_epi32(ce, e, 1));
          tap[3] = _mm512_castsi512_ps(_mm512_alignr_epi32(co, _mm512_castps_si512(tap[1]), 1));
          tap[4] = _mm512_castsi512_ps(_mm512_alignr_epi32(ce, e, 2));
        }
        for (int r = 0; r < DW_ROWS; ++r) {
          const int ky = i - r * 2;
          if (ky >= 0 && ky < K)
            for (int kx = 0; kx < K; ++kx)
              acc[r] = _mm512_fmadd_ps(wv[ky * K + kx], tap[kx], acc[r]);
        }
      }
      activate16(p->activation, acc, DW_ROWS);
      const __mmask16 lanes = (__mmask16)((1u << min64(16, ow - xb * 16)) - 1);
      for (int r = 0; r < DW_ROWS; ++r)
        if (y + r < oh)
          _mm512_mask_storeu_ps(out + (y + r) * ow + xb * 16, lanes, acc[r]);
    }
  }
}

static TARGET_AVX512 void dw_s2_3x3(const mlc_conv2d_params *p, const float *in, const float *wk,
                                    int64_t ts, __m512 bias, float *out) {
  dw_s2_plane_avx512(3, p, in, wk, ts, bias, out);
}

static TARGET_AVX512 void dw_s2_5x5(const mlc_conv2d_params *p, const float *in, const float *wk,
                                    int64_t ts, __m512 bias, float *out) {
  dw_s2_plane_avx512(5, p, in, wk, ts, bias, out);
}

typedef void (*dw_fast_fn)(const mlc_conv2d_params *p, const float *in,
                           const float *wk, int64_t ts, __m512 bias, int64_t y,
                           int64_t nxb, const int64_t *off, const uint32_t *m32,
                           const __mmask16 *lanes_of, float *out);
#define DW_FAST(KH, KW)                                                        \
  static TARGET_AVX512 void dw_fast_##KH##x##KW(                               \
      const mlc_conv2d_params *p, const float *in, const float *wk,            \
      int64_t ts, __m512 bias, int64_t y, int64_t nxb, const int64_t *off,     \
      const uint32_t *m32, const __mmask16 *lanes_of, float *out) {            \
    dw_rows_avx512(KH, KW, p, in, wk, ts, bias, y, nxb, off, m32, lanes_of,    \
                   out);                                                       \
  }
DW_FAST(3, 3)
DW_FAST(5, 5)
#undef DW_FAST

/// The interior kernel for `p`'s shape, or NULL (then every output goes
/// through dw_group_avx512). At stride 2, dw_s2_plane_avx512 takes 3x3 and
/// 5x5 instead.
static dw_fast_fn dw_fast_kernel(const mlc_conv2d_params *p) {
  if (p->dilation_h != 1 || p->dilation_w != 1 || p->stride_h != 1 || p->stride_w != 1 ||
      p->kh != p->kw)
    return NULL;
  if (p->kh == 3)
    return dw_fast_3x3;
  if (p->kh == 5)
    return dw_fast_5x5;
  return NULL;
}

/// Depthwise planes at most 8 columns wide at stride 1 (7x7, 4x4 images),
/// where one row would leave most of a 16-lane vector empty: a vector holds
/// two output rows (lanes 0-7 row y, 8-15 row y + 1), filled by two masked
/// half loads; DW_GROUP row pairs at a time. `lanes` and `off` are
/// dw_avx512's table for the one column block: per kx, the output lanes whose
/// input column is inside the row and lane 0's input column.
static TARGET_AVX512 void dw_small_avx512(const dw_job *job, int64_t begin, int64_t end,
                                          const __mmask16 *lanes, const int64_t *off) {
  const mlc_conv2d_params *p = job->p;
  const int64_t oh = p->oh, ow = p->ow, h = p->h, w = p->w, kh = p->kh, kw = p->kw;
  const int64_t pairs = ceil_div(oh, 2);
  for (int64_t plane = begin; plane < end; ++plane) {
    const dw_plane d = dw_plane_at(job, plane);
    const float *in = d.in, *wk = d.wk;
    float *out = d.out;
    const __m512 bias = _mm512_set1_ps(d.bias);
    for (int64_t q0 = 0; q0 < pairs; q0 += DW_GROUP) {
      const int64_t nq = min64(DW_GROUP, pairs - q0);
      __m512 acc[DW_GROUP];
      for (int u = 0; u < DW_GROUP; ++u)
        acc[u] = bias;
      for (int64_t ky = 0; ky < kh; ++ky) {
        const float *rowa[DW_GROUP], *rowb[DW_GROUP];
        bool oka[DW_GROUP], okb[DW_GROUP];
        for (int u = 0; u < DW_GROUP; ++u) {
          const int64_t y = 2 * (q0 + (u < nq ? u : 0));
          const int64_t ia = y * p->stride_h + ky * p->dilation_h - p->pad_top;
          const int64_t ib = ia + p->stride_h;
          oka[u] = u < nq && ia >= 0 && ia < h;
          okb[u] = u < nq && y + 1 < oh && ib >= 0 && ib < h;
          rowa[u] = in + (oka[u] ? ia : 0) * w;
          rowb[u] = in + (okb[u] ? ib : 0) * w;
        }
        for (int64_t kx = 0; kx < kw; ++kx) {
          const __m512 wt = _mm512_set1_ps(wk[(ky * kw + kx) * job->tap_stride]);
          const __mmask16 lo = lanes[kx];
          for (int u = 0; u < DW_GROUP; ++u) {
            __m512 v = _mm512_maskz_loadu_ps(oka[u] ? lo : 0, offset_ptr(rowa[u], off[kx]));
            v = _mm512_mask_loadu_ps(v, okb[u] ? (__mmask16)(lo << 8) : 0,
                                     offset_ptr(rowb[u], off[kx] - 8));
            acc[u] = _mm512_fmadd_ps(wt, v, acc[u]);
          }
        }
      }
      activate16(p->activation, acc, DW_GROUP);
      const __mmask16 row_mask = (__mmask16)((1u << ow) - 1);
      for (int u = 0; u < nq; ++u) {
        const int64_t y = 2 * (q0 + u);
        _mm512_mask_storeu_ps(out + y * ow, row_mask, acc[u]);
        if (y + 1 < oh)
          _mm512_mask_storeu_ps(offset_out(out + (y + 1) * ow, -8), (__mmask16)(row_mask << 8),
                                acc[u]);
      }
    }
  }
}

/// Depthwise planes, AVX-512: 16 output columns per vector, DW_GROUP vectors
/// at a time. For each block of 16 columns and each kx, the lanes inside the
/// image and where they read are the same for every row and plane, so they
/// come from a table; rows outside the image mask every lane.
/// The table of the row kernels (depthwise, max pooling) for `p`'s output
/// columns: for each block of 16 columns xb and kernel column kx, entry
/// xb * kw + kx holds the output lanes whose input column lies inside the
/// row, lane 0's input column, and the two-vector load mask of stride 2
/// (dw_load_avx512's operands). nxb * kw <= DW_TABLE_MAX.
static void row_table(const mlc_conv2d_params *p, int64_t nxb, int64_t *off, uint32_t *m32,
                      __mmask16 *lanes_of) {
  const int64_t ow = p->ow, w = p->w, kw = p->kw, sw = p->stride_w;
  for (int64_t xb = 0; xb < nxb; ++xb)
    for (int64_t kx = 0; kx < kw; ++kx) {
      const int64_t i = xb * kw + kx, x0 = xb * 16;
      const int64_t ix0 = x0 * sw + kx * p->dilation_w - p->pad_left;
      const int64_t lanes = min64(16, ow - x0);
      const int64_t jlo = ix0 < 0 ? ceil_div(-ix0, sw) : 0;
      const int64_t jhi = ix0 >= w ? 0 : min64(lanes, (w - 1 - ix0) / sw + 1);
      off[i] = 0;
      m32[i] = 0;
      lanes_of[i] = 0;
      if (jlo >= jhi)
        continue;
      off[i] = ix0;
      lanes_of[i] = (__mmask16)(((1u << jhi) - 1) & ~((1u << jlo) - 1));
      if (sw == 2)
        m32[i] = (uint32_t)(((1ull << (2 * jhi - 1)) - 1) &
                            ~((1ull << (2 * jlo)) - 1));
    }
}

static TARGET_AVX512 void dw_avx512(const dw_job *job, int64_t begin,
                                    int64_t end) {
  const mlc_conv2d_params *p = job->p;
  const int64_t oh = p->oh, ow = p->ow, h = p->h, kw = p->kw;
  const int64_t sw = p->stride_w, nxb = ceil_div(ow, 16);
  if (dw_s2_applies(p)) { /* needs no table */
    for (int64_t plane = begin; plane < end; ++plane) {
      const dw_plane d = dw_plane_at(job, plane);
      (p->kh == 3 ? dw_s2_3x3 : dw_s2_5x5)(p, d.in, d.wk, job->tap_stride,
                                           _mm512_set1_ps(d.bias), d.out);
    }
    return;
  }
  if (nxb * kw > DW_TABLE_MAX) {
    dw_c(job, begin, end);
    return;
  }
  int64_t off[DW_TABLE_MAX];
  uint32_t m32[DW_TABLE_MAX];
  __mmask16 lanes_of[DW_TABLE_MAX];
  row_table(p, nxb, off, m32, lanes_of);
  if (ow <= 8 && sw == 1) {
    dw_small_avx512(job, begin, end, lanes_of, off);
    return;
  }
  /* Output rows whose taps all lie inside the image vertically go DW_ROWS at
   * a time through the kernel instantiated for the shape, if there is one. */
  const dw_fast_fn fast = dw_fast_kernel(p);
  int64_t ylo = 0, yfast = 0;
  if (fast) {
    const int64_t s = p->stride_h;
    ylo = min64(oh, ceil_div(p->pad_top, s));
    const int64_t yhi = max64(ylo, min64(oh, (h - p->kh + p->pad_top) / s + 1));
    yfast = ylo + (yhi - ylo) / DW_ROWS * DW_ROWS;
  }
  const int64_t items = oh * nxb;
  for (int64_t plane = begin; plane < end; ++plane) {
    const dw_plane d = dw_plane_at(job, plane);
    const float *in = d.in, *wk = d.wk;
    float *out = d.out;
    const __m512 bias = _mm512_set1_ps(d.bias);
    /* Items [i0, i1) (item = y * nxb + xb) through the general kernel. */
#define DW_GENERAL(i0, i1)                                                     \
  for (int64_t item = (i0); item < (i1); item += DW_GROUP) {                   \
    const int64_t n = min64(DW_GROUP, (i1) - item);                            \
    if (sw == 1)                                                               \
      dw_group_avx512(1, p, in, wk, job->tap_stride, bias, item, n, nxb, off,  \
                      m32, lanes_of, out);                                     \
    else if (sw == 2)                                                          \
      dw_group_avx512(2, p, in, wk, job->tap_stride, bias, item, n, nxb, off,  \
                      m32, lanes_of, out);                                     \
    else                                                                       \
      dw_group_avx512(0, p, in, wk, job->tap_stride, bias, item, n, nxb, off,  \
                      m32, lanes_of, out);                                     \
  }
    DW_GENERAL(0, ylo * nxb)
    for (int64_t y = ylo; y < yfast; y += DW_ROWS)
      fast(p, in, wk, job->tap_stride, bias, y, nxb, off, m32, lanes_of, out);
    DW_GENERAL(yfast * nxb, items)
#undef DW_GENERAL
  }
}

/// Floats of dw_cblock_avx512's strip buffer it aims for (96 KiB, in L2).
#define DWC_STRIP_FLOATS (24 * 1024)

/// How dw_cblock_avx512 lays out a strip of a plane (see there).
typedef struct dwc_geom {
  int64_t s;      /* stride (both directions) */
  int64_t wpad;   /* padded input columns the outputs read, from -pad_left */
  int64_t wq;     /* width of a phase, and of the virtual output plane */
  int64_t rows;   /* output rows per strip */
  int64_t phase;  /* floats of one phase */
} dwc_geom;

static dwc_geom dwc_geometry(const mlc_conv2d_params *p) {
  dwc_geom g;
  g.s = p->stride_h;
  g.wpad = (p->ow - 1) * g.s + (p->kw - 1) * p->dilation_w + 1;
  g.wq = ceil_div(g.wpad, g.s);
  const int64_t reach = (p->kh - 1) * p->dilation_h; /* rows a tap reaches down */
  /* A phase: its rows, one spare row, and the overrun of the last block of
   * 16 positions plus the furthest tap. */
  for (g.rows = p->oh; ; g.rows = max64(1, g.rows / 2)) {
    const int64_t hq = ceil_div((g.rows - 1) * g.s + reach + 1, g.s);
    g.phase = ((hq + 1) * g.wq + 16 + p->kw * p->dilation_w) * 16;
    if (g.rows == 1 || g.s * g.s * g.phase <= DWC_STRIP_FLOATS)
      break;
  }
  return g;
}

/// dw_cblock_strided's products for NA + NB (<= 16) whole output rows'
/// positions: NA from the virtual plane at pa, NB more at pb (the next row,
/// for 7-column images), so that no lane goes to a position x >= ow. The
/// outputs are contiguous (whole rows of the plane): stored from `out`, nc
/// channels `plane` floats apart.
static ALWAYS_INLINE TARGET_AVX512 void
dwc_row_block(const int NA, const int NB, int64_t taps, const int64_t *tap_at, const __m512 *wv,
              __m512 bias, const float *pa, const float *pb, int64_t activation, float *out,
              int64_t plane, int nc) {
  __m512 acc[16];
#pragma GCC unroll 16
  for (int u = 0; u < 16; ++u)
    acc[u] = u < NA + NB ? bias : _mm512_setzero_ps();
  for (int64_t t = 0; t < taps; ++t) {
    const __m512 wt = wv[t];
    const float *a = pa + tap_at[t], *b = pb + tap_at[t];
#pragma GCC unroll 16
    for (int u = 0; u < NA; ++u)
      acc[u] = _mm512_fmadd_ps(wt, _mm512_loadu_ps(a + u * 16), acc[u]);
#pragma GCC unroll 16
    for (int u = 0; u < NB; ++u)
      acc[NA + u] = _mm512_fmadd_ps(wt, _mm512_loadu_ps(b + u * 16), acc[NA + u]);
  }
  activate16(activation, acc, NA + NB);
  transpose16_avx512(acc);
  const __mmask16 m = (__mmask16)((1u << (NA + NB)) - 1);
#pragma GCC unroll 16
  for (int ch = 0; ch < 16; ++ch)
    if (ch < nc)
      _mm512_mask_storeu_ps(offset_out(out, ch * plane), m, acc[ch]);
}

/// Depthwise convolution with 16 channels of one image in the lanes of a
/// vector, as the NCHWc layouts of other libraries have them, for the units
/// [begin, end) (unit = image * ceil(c / 16) + channel block). It suits the
/// planes that 16 columns per vector do not: narrow ones (7x7, 14x14), where
/// most lanes would be padding, and stride 2, where the columns must be
/// shuffled out of two vectors per tap.
/// Per strip of output rows, the input rows that the strip reads are
/// transposed (16 x 16 in registers) into a zero-padded buffer of 16-float
/// pixels split into s x s phases: the input at padded row i and column j
/// goes to phase (i % s, j % s) at (i / s, j / s). Output (y, x) is then the
/// position q = y * wq + x of a virtual plane of the phases' width wq, and
/// tap (ky, kx) reads phase (ky*dh % s, kx*dw % s) at q + (ky*dh / s) * wq +
/// kx*dw / s: a constant offset for every q. 16 consecutive positions go
/// together (16 accumulators, one weight vector per tap); the sums are
/// transposed back to 16 positions per channel and stored row by row,
/// dropping the positions with x >= ow.
static ALWAYS_INLINE TARGET_AVX512 void dw_cblock_strided(const int S, const dw_job *job,
                                                          int64_t begin, int64_t end) {
  const mlc_conv2d_params *p = job->p;
  const dwc_geom g = dwc_geometry(p);
  const int64_t wq = g.wq, h = p->h, w = p->w, oh = p->oh, ow = p->ow;
  const int64_t kh = p->kh, kw = p->kw, dh = p->dilation_h, dw = p->dilation_w;
  const int64_t c = p->c, blocks = ceil_div(c, 16), taps = kh * kw;
  float *buf = scratch((size_t)(S * S * g.phase));
  if (!buf)
    return;
  /* Padding stays zero: only the image's pixels and rows outside it are
   * ever written below. */
  memset(buf, 0, (size_t)(S * S * g.phase) * sizeof(float));
  /* Tap t reads its phase at tap_at[t] floats past the position's pixel. */
  int64_t tap_at[DWC_MAX_TAPS];
  for (int64_t t = 0; t < taps; ++t) {
    const int64_t ry = t / kw * dh, rx = t % kw * dw;
    tap_at[t] = (ry % S * S + rx % S) * g.phase + (ry / S * wq + rx / S) * 16;
  }
  __m512 wv[DWC_MAX_TAPS];
  for (int64_t unit = begin; unit < end; ++unit) {
    const int64_t b = unit / blocks, c0 = unit % blocks * 16;
    const int nc = (int)min64(16, c - c0);
    float lanes[16];
    for (int64_t t = 0; t < taps; ++t) {
      for (int ch = 0; ch < 16; ++ch)
        lanes[ch] = ch < nc ? dw_weights(job, c0 + ch)[t * job->tap_stride] : 0.0f;
      wv[t] = _mm512_loadu_ps(lanes);
    }
    for (int ch = 0; ch < 16; ++ch)
      lanes[ch] = ch < nc && job->bias ? job->bias[c0 + ch] : 0.0f;
    const __m512 bias = _mm512_loadu_ps(lanes);
    const float *in = job->input + (b * c + c0) * h * w;
    float *out = job->output + (b * p->f + c0) * oh * ow;
    for (int64_t y0 = 0; y0 < oh; y0 += g.rows) {
      const int64_t rows = min64(g.rows, oh - y0);
      /* The strip's input rows, from padded row y0 * S. */
      const int64_t rows_in = (rows - 1) * S + (kh - 1) * dh + 1;
      for (int64_t i = 0; i < rows_in; ++i) {
        const int64_t iy = y0 * S - p->pad_top + i;
        float *prow = buf + i % S * S * g.phase + i / S * wq * 16;
        if (w <= 8 && i + 1 < rows_in && iy >= 0 && iy + 1 < h) {
          /* Rows of at most 8 pixels go two to a transposition: lanes 0-7
           * row iy, lanes 8-15 row iy + 1. */
          float *prow2 = buf + (i + 1) % S * S * g.phase + (i + 1) / S * wq * 16;
          const __mmask16 m = (__mmask16)((1u << w) - 1);
          __m512 v[16];
#pragma GCC unroll 16
          for (int ch = 0; ch < 16; ++ch) {
            const float *row = offset_ptr(in, (ch * h + iy) * w);
            v[ch] = _mm512_maskz_loadu_ps(ch < nc ? m : 0, row);
            v[ch] = _mm512_mask_loadu_ps(v[ch], ch < nc ? (__mmask16)(m << 8) : 0,
                                         offset_ptr(row, w - 8));
          }
          transpose16_avx512(v);
#pragma GCC unroll 8
          for (int t = 0; t < 8; ++t) {
            const int64_t j = t + p->pad_left;
            if (t < w && j < g.wpad) {
              _mm512_storeu_ps(prow + j % S * g.phase + j / S * 16, v[t]);
              _mm512_storeu_ps(prow2 + j % S * g.phase + j / S * 16, v[8 + t]);
            }
          }
          ++i;
          continue;
        }
        if (iy < 0 || iy >= h) {
          for (int px = 0; px < S; ++px)
            memset(prow + px * g.phase, 0, (size_t)(wq * 16) * sizeof(float));
          continue;
        }
        for (int64_t ix0 = 0; ix0 < w && ix0 + p->pad_left < g.wpad; ix0 += 16) {
          const int64_t n = min64(16, min64(w, g.wpad - p->pad_left) - ix0);
          const __mmask16 m = (__mmask16)((1u << n) - 1);
          __m512 v[16];
#pragma GCC unroll 16
          for (int ch = 0; ch < 16; ++ch)
            v[ch] = _mm512_maskz_loadu_ps(ch < nc ? m : 0,
                                          offset_ptr(in, (ch * h + iy) * w + ix0));
          transpose16_avx512(v);
          const int64_t j0 = ix0 + p->pad_left;
          /* Constant indices keep v in registers. */
#pragma GCC unroll 16
          for (int t = 0; t < 16; ++t)
            if (t < n)
              _mm512_storeu_ps(prow + (j0 + t) % S * g.phase + (j0 + t) / S * 16, v[t]);
        }
      }
      if (ow == 7 || ow == 14) {
        /* Whole rows (two of 7 columns, or one of 14) a block: 14 useful
         * lanes of 16, where blocks of 16 consecutive positions would
         * also compute the wq - ow padding positions of each row (7x7
         * with a 5x5 kernel: 49 outputs in 80 positions). */
        for (int64_t y = 0; y < rows; y += 16 / ow) {
          const float *pa = buf + y * wq * 16;
          float *dst = out + (y0 + y) * ow;
          if (ow == 14)
            dwc_row_block(14, 0, taps, tap_at, wv, bias, pa, pa, p->activation, dst, oh * ow, nc);
          else if (y + 1 < rows)
            dwc_row_block(7, 7, taps, tap_at, wv, bias, pa, pa + wq * 16, p->activation, dst,
                          oh * ow, nc);
          else
            dwc_row_block(7, 0, taps, tap_at, wv, bias, pa, pa, p->activation, dst, oh * ow, nc);
        }
        continue;
      }
      /* Blocks of 16 positions q = y * wq + x of the strip. */
      int64_t y = 0, x = 0; /* of q0 */
      for (int64_t q0 = 0; q0 < rows * wq; q0 += 16) {
        __m512 acc[16];
#pragma GCC unroll 16
        for (int u = 0; u < 16; ++u)
          acc[u] = bias;
        const float *block = buf + q0 * 16;
        for (int64_t t = 0; t < taps; ++t) {
          const float *base = block + tap_at[t];
          const __m512 wt = wv[t];
#pragma GCC unroll 16
          for (int u = 0; u < 16; ++u)
            acc[u] = _mm512_fmadd_ps(wt, _mm512_loadu_ps(base + u * 16), acc[u]);
        }
        /* Lane u is position q0 + u: the runs of output rows (x < ow; the
         * other positions of the virtual plane are dropped, and skip an
         * activation as costly as SiLU). */
        struct {
          int u, keep;
          int64_t at; /* (y0 + y) * ow + x */
        } runs[16];
        int nruns = 0;
        unsigned useful = 0;
        for (int u = 0; u < 16 && y < rows;) {
          const int run = (int)min64(16 - u, wq - x);
          const int keep = (int)max64(0, min64(run, ow - x));
          if (keep > 0) {
            runs[nruns].u = u;
            runs[nruns].keep = keep;
            runs[nruns++].at = (y0 + y) * ow + x;
            useful |= ((1u << keep) - 1) << u;
          }
          u += run;
          x += run;
          if (x == wq)
            x = 0, ++y;
        }
        if (p->activation == MLC_ACTIVATION_SILU) {
#pragma GCC unroll 16
          for (int u = 0; u < 16; ++u)
            if (useful >> u & 1)
              acc[u] = silu16(acc[u]);
        } else {
          activate16(p->activation, acc, 16);
        }
        transpose16_avx512(acc);
        for (int r = 0; r < nruns; ++r) {
          const __mmask16 m = (__mmask16)(((1u << runs[r].keep) - 1) << runs[r].u);
          float *dst = offset_out(out, runs[r].at - runs[r].u);
#pragma GCC unroll 16
          for (int ch = 0; ch < 16; ++ch)
            if (ch < nc)
              _mm512_mask_storeu_ps(offset_out(dst, ch * oh * ow), m, acc[ch]);
        }
      }
    }
  }
}

static TARGET_AVX512 void dw_cblock_avx512(const dw_job *job, int64_t begin, int64_t end) {
  if (job->p->stride_h == 1)
    dw_cblock_strided(1, job, begin, end);
  else
    dw_cblock_strided(2, job, begin, end);
}

/// Whether every tap of the 16 outputs of column block xb reads its whole
/// vector inside the row (row_table's entries; at stride 2, the 31 floats
/// the even lanes come from).
static bool block_whole(const mlc_conv2d_params *p, int64_t xb, const uint32_t *m32,
                        const __mmask16 *lanes_of) {
  for (int64_t kx = 0; kx < p->kw; ++kx)
    if (lanes_of[xb * p->kw + kx] != 0xFFFF ||
        (p->stride_w == 2 && m32[xb * p->kw + kx] != 0x7FFFFFFF))
      return false;
  return true;
}

/// Max pooling planes [begin, end) at input column stride SW (1, 2, or 0
/// for any other: gathers): per output row and block of 16 columns, the max
/// over the taps inside the image, read as the depthwise kernels read them.
/// A NaN in a window makes its output NaN.
static ALWAYS_INLINE TARGET_AVX512 void
maxpool_planes_avx512(const int SW, const mlc_conv2d_params *p, const float *input, float *output,
                      int64_t begin, int64_t end, const int64_t *off, const uint32_t *m32,
                      const __mmask16 *lanes_of) {
  const int64_t oh = p->oh, ow = p->ow, h = p->h, w = p->w, kw = p->kw, nxb = ceil_div(ow, 16);
  const __m512i stride_index = _mm512_mullo_epi32(
      _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
      _mm512_set1_epi32((int)p->stride_w));
  const __m512 low = _mm512_set1_ps(-INFINITY), nan = _mm512_set1_ps(NAN);
  const __m512i abs_bits = _mm512_set1_epi32(0x7fffffff), inf_bits = _mm512_set1_epi32(0x7f800000);
  const __m512i even = even_lanes();
  /* Blocks of 16 columns whose windows lie inside the image horizontally
   * (every tap's loads whole): plain loads and maxima, no masks. */
  bool inside[DW_TABLE_MAX]; /* nxb * kw <= DW_TABLE_MAX */
  for (int64_t xb = 0; xb < nxb; ++xb)
    inside[xb] = (SW == 1 || SW == 2) && block_whole(p, xb, m32, lanes_of);
  for (int64_t plane = begin; plane < end; ++plane) {
    const float *in = input + plane * h * w;
    float *out = output + plane * oh * ow;
    for (int64_t y = 0; y < oh; ++y) {
      const int64_t iy0 = y * p->stride_h - p->pad_top;
      const bool rows_inside = iy0 >= 0 && iy0 + (p->kh - 1) * p->dilation_h < h;
      for (int64_t xb = 0; xb < nxb; ++xb) {
        __m512 acc = low;
        __m512i mag = _mm512_setzero_si512(); /* max |bits|: above +inf's, a NaN */
        if (rows_inside && inside[xb]) {
          for (int64_t ky = 0; ky < p->kh; ++ky) {
            const float *row = in + (iy0 + ky * p->dilation_h) * w;
            for (int64_t kx = 0; kx < kw; ++kx) {
              const float *base = row + off[xb * kw + kx];
              /* At stride 2 the 32nd float is not needed, and may lie past
               * the input. */
              const __m512 v =
                  SW == 1 ? _mm512_loadu_ps(base)
                          : _mm512_permutex2var_ps(_mm512_loadu_ps(base), even,
                                                   _mm512_maskz_loadu_ps(0x7FFF, base + 16));
              acc = _mm512_max_ps(acc, v);
              mag = _mm512_max_epu32(mag, _mm512_and_si512(_mm512_castps_si512(v), abs_bits));
            }
          }
        } else {
          for (int64_t ky = 0; ky < p->kh; ++ky) {
            const int64_t iy = iy0 + ky * p->dilation_h;
            if (iy < 0 || iy >= h)
              continue;
            const float *row = in + iy * w;
            for (int64_t kx = 0; kx < kw; ++kx) {
              const int64_t i = xb * kw + kx;
              const __mmask16 lm = lanes_of[i];
              const __m512 v =
                  dw_load_avx512(SW, lm, m32[i], offset_ptr(row, off[i]), stride_index);
              acc = _mm512_mask_max_ps(acc, lm, acc, v);
              mag = _mm512_max_epu32(mag, _mm512_and_si512(_mm512_castps_si512(v), abs_bits));
            }
          }
        }
        const int64_t lanes = min64(16, ow - xb * 16);
        const __mmask16 nans = _mm512_cmpgt_epu32_mask(mag, inf_bits);
        _mm512_mask_storeu_ps(out + y * ow + xb * 16, (__mmask16)((1u << lanes) - 1),
                              _mm512_mask_mov_ps(acc, nans, nan));
      }
    }
  }
}

/// The maximum of one input row's three taps (kx = 0, 1, 2 at stride 2)
/// for the 16 outputs of column block xb (row_table's entries), and the
/// largest magnitude among them as bits (above +inf's: a NaN). WHOLE: every
/// lane's columns lie inside the row (plain loads); else the lanes outside
/// it load -inf, which no maximum keeps. The row lies inside the image.
static ALWAYS_INLINE TARGET_AVX512 void
pool_row3_taps_avx512(const bool WHOLE, const float *row, int64_t xb, const int64_t *off,
                      const uint32_t *m32, __m512 *max, __m512i *mag) {
  const __m512 low = _mm512_set1_ps(-INFINITY);
  const __m512i even = even_lanes();
  const __m512i abs_bits = _mm512_set1_epi32(0x7fffffff);
  __m512 t[3];
#pragma GCC unroll 3
  for (int kx = 0; kx < 3; ++kx) {
    const float *base = offset_ptr(row, off[xb * 3 + kx]);
    /* The 32nd float is not needed, and may lie past the input. */
    const uint32_t m = WHOLE ? 0x7FFFFFFF : m32[xb * 3 + kx];
    t[kx] = _mm512_permutex2var_ps(
        WHOLE ? _mm512_loadu_ps(base) : _mm512_mask_loadu_ps(low, (__mmask16)m, base), even,
        _mm512_mask_loadu_ps(low, (__mmask16)(m >> 16), offset_ptr(base, 16)));
  }
  *max = _mm512_max_ps(_mm512_max_ps(t[0], t[1]), t[2]);
  *mag = _mm512_max_epu32(
      _mm512_max_epu32(_mm512_and_si512(_mm512_castps_si512(t[0]), abs_bits),
                       _mm512_and_si512(_mm512_castps_si512(t[1]), abs_bits)),
      _mm512_and_si512(_mm512_castps_si512(t[2]), abs_bits));
}

/// pool_row3_taps_avx512 with WHOLE chosen at run time.
static ALWAYS_INLINE TARGET_AVX512 void pool_row3_s2_avx512(bool whole, const float *row,
                                                            int64_t xb, const int64_t *off,
                                                            const uint32_t *m32, __m512 *max,
                                                            __m512i *mag) {
  if (whole)
    pool_row3_taps_avx512(true, row, xb, off, m32, max, mag);
  else
    pool_row3_taps_avx512(false, row, xb, off, m32, max, mag);
}

/// 3x3 max pooling at stride 2, dilation 1 (ResNet's): separable. Output
/// row y reads input rows 2y - pad_top + {0, 1, 2}; each row's horizontal
/// maximum is taken once, and the last row of output y, the first of
/// output y + 1, is kept for it: two rows of three taps per output instead
/// of nine taps.
static TARGET_AVX512 void maxpool_3x3_s2_avx512(const mlc_conv2d_params *p, const float *input,
                                                float *output, int64_t begin, int64_t end,
                                                const int64_t *off, const uint32_t *m32,
                                                const __mmask16 *lanes_of) {
  const int64_t oh = p->oh, ow = p->ow, h = p->h, w = p->w, nxb = ceil_div(ow, 16);
  const __m512 low = _mm512_set1_ps(-INFINITY), nan = _mm512_set1_ps(NAN);
  const __m512i inf_bits = _mm512_set1_epi32(0x7f800000);
  bool whole[DW_TABLE_MAX / 3];
  for (int64_t xb = 0; xb < nxb; ++xb)
    whole[xb] = block_whole(p, xb, m32, lanes_of);
  /* The first row of the current output row, per block. */
  __m512 top[DW_TABLE_MAX / 3];
  __m512i top_mag[DW_TABLE_MAX / 3];
  for (int64_t plane = begin; plane < end; ++plane) {
    const float *in = input + plane * h * w;
    float *out = output + plane * oh * ow;
    for (int64_t xb = 0; xb < nxb; ++xb) {
      top[xb] = low;
      top_mag[xb] = _mm512_setzero_si512();
      const int64_t r = -p->pad_top; /* output row 0's first */
      if (r >= 0 && r < h)
        pool_row3_s2_avx512(whole[xb], in + r * w, xb, off, m32, &top[xb], &top_mag[xb]);
    }
    for (int64_t y = 0; y < oh; ++y) {
      const int64_t r0 = 2 * y - p->pad_top;
      for (int64_t xb = 0; xb < nxb; ++xb) {
        __m512 mid = low, bottom = low;
        __m512i mid_mag = _mm512_setzero_si512(), bottom_mag = mid_mag;
        if (r0 + 1 >= 0 && r0 + 1 < h)
          pool_row3_s2_avx512(whole[xb], in + (r0 + 1) * w, xb, off, m32, &mid, &mid_mag);
        if (r0 + 2 >= 0 && r0 + 2 < h)
          pool_row3_s2_avx512(whole[xb], in + (r0 + 2) * w, xb, off, m32, &bottom, &bottom_mag);
        const __m512 acc = _mm512_max_ps(_mm512_max_ps(top[xb], mid), bottom);
        const __mmask16 nans = _mm512_cmpgt_epu32_mask(
            _mm512_max_epu32(_mm512_max_epu32(top_mag[xb], mid_mag), bottom_mag), inf_bits);
        const int64_t lanes = min64(16, ow - xb * 16);
        _mm512_mask_storeu_ps(out + y * ow + xb * 16, (__mmask16)((1u << lanes) - 1),
                              _mm512_mask_mov_ps(acc, nans, nan));
        top[xb] = bottom;
        top_mag[xb] = bottom_mag;
      }
    }
  }
}

static TARGET_AVX512 void maxpool_avx512(const mlc_conv2d_params *p, const float *input,
                                         float *output, int64_t begin, int64_t end) {
  const int64_t nxb = ceil_div(p->ow, 16);
  if (nxb * p->kw > DW_TABLE_MAX) {
    maxpool_c(p, input, output, begin, end);
    return;
  }
  int64_t off[DW_TABLE_MAX];
  uint32_t m32[DW_TABLE_MAX];
  __mmask16 lanes_of[DW_TABLE_MAX];
  row_table(p, nxb, off, m32, lanes_of);
  if (p->kh == 3 && p->kw == 3 && p->stride_h == 2 && p->stride_w == 2 && p->dilation_h == 1 &&
      p->dilation_w == 1)
    maxpool_3x3_s2_avx512(p, input, output, begin, end, off, m32, lanes_of);
  else if (p->stride_w == 1)
    maxpool_planes_avx512(1, p, input, output, begin, end, off, m32, lanes_of);
  else if (p->stride_w == 2)
    maxpool_planes_avx512(2, p, input, output, begin, end, off, m32, lanes_of);
  else
    maxpool_planes_avx512(0, p, input, output, begin, end, off, m32, lanes_of);
}

/// split_phases with AVX-512: 32 input columns a step, two loads whose even
/// and odd lanes go to the two phases of the row, zeros past the image from
/// masked loads.
static TARGET_AVX512 void split_phases_avx512(const mlc_conv2d_params *p, const float *input,
                                              float *dst, int64_t begin, int64_t end) {
  const int64_t plane = p->oh * p->ow, ow = p->ow, w = p->w;
  const __m512i even = even_lanes();
  const __m512i odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
  for (int64_t ch = begin; ch < end; ++ch) {
    const float *in = input + ch * p->h * w;
    float *q = dst + ch * 4 * plane;
    for (int64_t r2 = 0; r2 < 2 * p->oh; ++r2) {
      float *e = q + (r2 & 1) * 2 * plane + (r2 >> 1) * ow, *o = e + plane;
      const float *row = in + (r2 < p->h ? r2 : 0) * w;
      for (int64_t s = 0; s < ow; s += 16) {
        /* Columns 2s .. 2s + 31 that lie inside the image's row r2. */
        const int64_t cols = r2 < p->h ? max64(0, min64(32, w - 2 * s)) : 0;
        const uint32_t m = cols >= 32 ? ~0u : (1u << cols) - 1;
        const __m512 lo = _mm512_maskz_loadu_ps((__mmask16)m, offset_ptr(row, 2 * s));
        const __m512 hi = _mm512_maskz_loadu_ps((__mmask16)(m >> 16), offset_ptr(row, 2 * s + 16));
        const __mmask16 out = (__mmask16)((1u << min64(16, ow - s)) - 1);
        _mm512_mask_storeu_ps(e + s, out, _mm512_permutex2var_ps(lo, even, hi));
        _mm512_mask_storeu_ps(o + s, out, _mm512_permutex2var_ps(lo, odd, hi));
      }
    }
  }
}

#endif /* MLC_KERNELS_X86 */

/*===----------------------------------------------------------------------===*
 * ISA selection
 *===----------------------------------------------------------------------===*/

typedef struct kernel_isa {
  int isa;    /* MLC_RT_ISA_* */
  int tile_n; /* columns per tile call: 16 or 32 */
  tile_fn tile;
  pack_fn pack_conv;
  pack_a_fn pack_a;
  dw_fn depthwise;
  dw_fn depthwise_cblock; /* units of 16 channels (dwc_applies); NULL: none */
  tile_t_fn tile_t; /* small-N convs; NULL: use `tile` */
  tile_tb_fn tile_tb; /* small-N convs on conv_job.direct; NULL: pack B */
  tile_shifted_fn tile_shifted; /* conv_job.shifted; NULL: pack B */
  store_t_fn store_t;
  activate_fn activate;
  plane_fn maxpool;
  plane_fn split_phases; /* conv_reads_phases' copy */
} kernel_isa;

static const kernel_isa isa_c = {
    .isa = MLC_RT_ISA_C, .tile_n = 16, .tile = tile_c, .pack_conv = pack_conv_c,
    .pack_a = pack_a_c, .depthwise = dw_c, .store_t = store_t_c, .activate = activate_c,
    .maxpool = maxpool_c, .split_phases = split_phases};
#if MLC_KERNELS_X86
static const kernel_isa isa_avx2 = {
    .isa = MLC_RT_ISA_AVX2, .tile_n = 16, .tile = tile_avx2, .pack_conv = pack_conv_avx2,
    .pack_a = pack_a_avx2, .depthwise = dw_c, .store_t = store_t_c,
    .activate = activate_avx2, .maxpool = maxpool_c,
    .split_phases = split_phases};
static const kernel_isa isa_avx512 = {
    .isa = MLC_RT_ISA_AVX512, .tile_n = 32, .tile = tile_avx512,
    .pack_conv = pack_conv_avx512, .pack_a = pack_a_avx2, .depthwise = dw_avx512,
    .depthwise_cblock = dw_cblock_avx512, .tile_t = tile_t_avx512, .tile_tb = tile_tb_avx512,
    .tile_shifted = tile_shifted_avx512, .store_t = store_t_avx512,
    .activate = activate_avx512, .maxpool = maxpool_avx512,
    .split_phases = split_phases_avx512};
#endif

/// Applies `activation` to `rows` rows of `cols` floats, `stride` apart, in
/// place: for the outputs of kernels that do not apply it themselves, while
/// they are still in cache.
static void activate_rows(const kernel_isa *isa, int64_t activation, float *out,
                          int64_t rows, int64_t cols, int64_t stride) {
  if (activation == MLC_ACTIVATION_NONE || cols <= 0)
    return;
  if (stride == cols) {
    isa->activate(activation, out, rows * cols);
    return;
  }
  for (int64_t r = 0; r < rows; ++r)
    isa->activate(activation, out + r * stride, cols);
}

static int best_isa(void) {
#if MLC_KERNELS_X86
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma"))
    return MLC_RT_ISA_AVX512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    return MLC_RT_ISA_AVX2;
#endif
  return MLC_RT_ISA_C;
}

static const kernel_isa *isa_table(int isa) {
  switch (isa) {
#if MLC_KERNELS_X86
  case MLC_RT_ISA_AVX512:
    return &isa_avx512;
  case MLC_RT_ISA_AVX2:
    return &isa_avx2;
#endif
  default:
    return &isa_c;
  }
}

/// The implementation in use; resolved at the first call (a race there only
/// stores the same pointer twice).
static _Atomic(const kernel_isa *) current_isa;

static const kernel_isa *get_isa(void) {
  const kernel_isa *k =
      atomic_load_explicit(&current_isa, memory_order_acquire);
  if (!k) {
    k = isa_table(best_isa());
    atomic_store_explicit(&current_isa, k, memory_order_release);
  }
  return k;
}

int mlc_rt_force_isa(int isa) {
  const int best = best_isa();
  if (isa == MLC_RT_ISA_AUTO)
    isa = best;
  if (isa < MLC_RT_ISA_C || isa > best)
    return -1;
  atomic_store_explicit(&current_isa, isa_table(isa), memory_order_release);
  return isa;
}

int mlc_rt_kernel_isa(void) { return get_isa()->isa; }

void mlc_rt_activation_f32(int64_t activation, float *x, int64_t n) {
  activate_rows(get_isa(), activation, x, 1, n, n);
}

/*===----------------------------------------------------------------------===*
 * Per-thread packing buffers
 *===----------------------------------------------------------------------===*/

/// Scratch buffers of a thread: SCRATCH_TASK for what one task packs,
/// SCRATCH_CALL for what a kernel prepares for all of its tasks (the caller
/// keeps it while the pool's threads read it).
enum { SCRATCH_TASK, SCRATCH_CALL, SCRATCH_SLOTS };

static pthread_key_t scratch_key[SCRATCH_SLOTS];
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;
static bool scratch_key_ok[SCRATCH_SLOTS];
static _Thread_local float *tls_scratch[SCRATCH_SLOTS];
static _Thread_local size_t tls_scratch_floats[SCRATCH_SLOTS];

static void scratch_destroy(void *p) { free(p); }
static void scratch_init(void) {
  for (int i = 0; i < SCRATCH_SLOTS; ++i)
    scratch_key_ok[i] = pthread_key_create(&scratch_key[i], scratch_destroy) == 0;
}

/// A 64-byte aligned buffer of at least `floats` floats owned by the calling
/// thread (freed when the thread exits), or NULL when out of memory.
static float *scratch_slot(int slot, size_t floats) {
  if (floats < 16)
    floats = 16;
  if (floats <= tls_scratch_floats[slot])
    return tls_scratch[slot];
  pthread_once(&scratch_once, scratch_init);
  void *p = NULL;
  if (posix_memalign(&p, 64, floats * sizeof(float)) != 0)
    return NULL;
  free(tls_scratch[slot]);
  tls_scratch[slot] = (float *)p;
  tls_scratch_floats[slot] = floats;
  if (scratch_key_ok[slot])
    pthread_setspecific(scratch_key[slot], p);
  return tls_scratch[slot];
}

static float *scratch(size_t floats) { return scratch_slot(SCRATCH_TASK, floats); }

/*===----------------------------------------------------------------------===*
 * Work splitting
 *===----------------------------------------------------------------------===*/

/// Most tasks whose schedule split_time simulates.
#define SPLIT_SIMULATE_MAX 64

/// Column chunk i of a split of `cols` columns into nb chunks of whole units
/// of `align` columns, as equal as units allow, the larger first: each
/// thread's share stays equal (98 tiles in 4 chunks are 25, 25, 24 and 24
/// tiles, two to a thread; rounding the chunk up to whole units instead
/// gave 25, 25, 25 and 23, and one thread 2% more work).
typedef struct col_range {
  int64_t lo, hi;
} col_range;

static inline col_range col_chunk(int64_t cols, int64_t align, int64_t nb, int64_t i) {
  const int64_t units = ceil_div(cols, align), base = units / nb, extra = units % nb;
  const int64_t lo = i * base + min64(i, extra);
  return (col_range){min64(cols, lo * align), min64(cols, (lo + base + (i < extra)) * align)};
}

/// When the last of `threads` threads finishes the units x nb x mb tasks of
/// a split (plan_split's cost per task), claimed as mlc_rt_parallel_for hands
/// them out: in MLC_CHUNKS_PER_THREAD contiguous chunks per thread, each to
/// the first thread that is free. Tasks go unit by unit, and within a unit
/// column chunk by column chunk when rows_inner (conv_body), else row chunk by
/// row chunk (task_block_of).
static double split_time(int64_t threads, int64_t units, int64_t nb, int64_t mb,
                         int64_t cols, int64_t col_align, int64_t panels, int64_t pchunk,
                         double col_cost, double row_cost, bool rows_inner) {
  const int64_t tasks = units * nb * mb;
  const int64_t chunks = min64(tasks, threads * MLC_CHUNKS_PER_THREAD);
  const int64_t base = tasks / chunks, extra = tasks % chunks;
  double free_at[SPLIT_SIMULATE_MAX] = {0};
  int64_t t = 0;
  for (int64_t c = 0; c < chunks; ++c) {
    double work = 0.0;
    for (int64_t end = t + base + (c < extra ? 1 : 0); t < end; ++t) {
      const int64_t rest = t % (nb * mb);
      const int64_t ni = rows_inner ? rest / mb : rest % nb;
      const int64_t mi = rows_inner ? rest % mb : rest / nb;
      const col_range r = col_chunk(cols, col_align, nb, ni);
      const double n = (double)(r.hi - r.lo);
      const double pc = (double)max64(0, min64(panels - mi * pchunk, pchunk));
      if (n > 0 && pc > 0)
        work += n * (pc + col_cost) + pc * row_cost;
    }
    int64_t first = 0; /* the thread that is free first takes the chunk */
    for (int64_t i = 1; i < threads; ++i)
      if (free_at[i] < free_at[first])
        first = i;
    free_at[first] += work;
  }
  double last = 0.0;
  for (int64_t i = 0; i < threads; ++i)
    last = free_at[i] > last ? free_at[i] : last;
  return last;
}

/// Splits `units` independent GEMMs of `panels` row panels x `cols` columns
/// into units x nb x mb tasks (nb column chunks, multiples of col_align, and
/// mb row-panel chunks) for `threads` threads: at least ceil(cols/col_max)
/// column chunks (cache blocking), column chunks of at least col_min and row
/// chunks of at least panel_min panels unless unsplit, and the split whose
/// slowest thread does the least work. A task of p panels x n columns costs
/// n * (p + col_cost) + p * row_cost: besides the product, each task brings
/// in its columns once (conv: packs the input; matmul: streams the packed
/// weights from L3), costing like col_cost more panels, and its rows once
/// (conv: streams the weights; matmul: packs the activations), costing like
/// row_cost more columns. Ties go to fewer row splits when prefer_cols, else
/// to fewer column splits. rows_inner says in which order the caller numbers
/// its tasks (conv_body: the row chunks of a column chunk one after another;
/// task_block_of: the column chunks of a row chunk). The slowest thread's
/// work is simulated (split_time) where the tasks are few, with the chunks
/// as large as they are: column chunks are whole tiles (col_chunk), so two
/// chunks of 196 columns in tiles of 32 are 128 and 68, which leave one of
/// two threads idle half the time, where four tasks of half the rows would
/// not.
static void plan_split(int64_t threads, int64_t units, int64_t panels,
                       int64_t cols, int64_t col_align, int64_t col_max,
                       int64_t col_min, int64_t panel_min, double col_cost,
                       double row_cost, bool prefer_cols, bool rows_inner, int64_t *out_nb,
                       int64_t *out_mb) {
  const int64_t nb0 = max64(1, ceil_div(cols, col_max));
  int64_t best_nb = nb0, best_mb = 1;
  if (threads > 1) {
    double best_cost = -1.0;
    int64_t best_rank = 0;
    for (int64_t mb = 1; mb <= min64(panels, 4 * threads); ++mb) {
      const int64_t pchunk = ceil_div(panels, mb);
      if (mb > 1 && pchunk < panel_min)
        break;
      if (ceil_div(panels, pchunk) != mb)
        continue;
      for (int64_t nb = nb0; nb <= min64(nb0 + 4 * threads, ceil_div(cols, col_align)); ++nb) {
        const col_range widest = col_chunk(cols, col_align, nb, 0);
        if (nb > nb0 && widest.hi - widest.lo < col_min)
          break;
        const int64_t tasks = units * nb * mb;
        /* Else the slowest thread runs ceil(tasks/threads) of the largest
         * task. */
        const double cost =
            tasks <= SPLIT_SIMULATE_MAX && threads <= SPLIT_SIMULATE_MAX
                ? split_time(threads, units, nb, mb, cols, col_align, panels, pchunk, col_cost,
                             row_cost, rows_inner)
                : (double)ceil_div(tasks, threads) *
                      ((double)(widest.hi - widest.lo) * ((double)pchunk + col_cost) +
                       (double)pchunk * row_cost);
        const int64_t rank = prefer_cols ? mb * 4096 + nb : nb * 4096 + mb;
        if (best_cost < 0 || cost < best_cost * 0.999 ||
            (cost <= best_cost * 1.001 && rank < best_rank)) {
          best_cost = cost;
          best_rank = rank;
          best_nb = nb;
          best_mb = mb;
        }
      }
    }
  }
  *out_nb = best_nb;
  *out_mb = best_mb;
}

/// Threads a parallel loop started here would use.
static int64_t available_threads(mlc_exec_ctx *ctx, double macs) {
  if (!ctx || macs < (double)PARALLEL_MIN_MACS)
    return 1;
  return mlc_rt_parallel_width(ctx);
}

/*===----------------------------------------------------------------------===*
 * Convolution
 *===----------------------------------------------------------------------===*/

/// Whether a stride-2 convolution reads its input split into phases
/// (split_phases): plane (py, px) of a channel holds the pixels (2r + py,
/// 2s + px), so that tap (ky, kx) of output pixel (y, x) is pixel (y + dy,
/// x + dx) of one plane, as at stride 1. The planes are as large as the
/// output, which must therefore hold every pixel of the input.
static bool conv_reads_phases(const mlc_conv2d_params *p) {
  return p->stride_h == 2 && p->stride_w == 2 && p->dilation_h == 1 && p->dilation_w == 1 &&
         (p->h + 1) / 2 <= p->oh && (p->w + 1) / 2 <= p->ow;
}

/// Whether a tile reads the convolution's B where it lies (shifted_b): at
/// stride 1 with an output as large as the input, output column n and input
/// column n are the same pixel; at stride 2, likewise in the phases of the
/// input (conv_reads_phases). 1x1 convolutions without padding read theirs
/// in place already (conv_geom.direct). Not for outputs narrower than a
/// vector: every vector then holds an image edge, so most taps load
/// masked, and with the weights coming from memory (as in a model) a 3x3
/// convolution of 256 channels at 14x14 ran 4-7% slower than packed, where
/// at 28x28 and 56x56 (64-128 channels) it runs 5% faster (with tile_tb,
/// the narrow ones put channels in the vector instead: conv_job.direct).
static bool conv_reads_shifted(const mlc_conv2d_params *p) {
  if (p->ow < 16 || p->kh * p->kw <= 1 || p->kh * p->kw > SHIFTED_MAX_TAPS)
    return false;
  return (p->stride_h == 1 && p->stride_w == 1 && p->oh == p->h && p->ow == p->w) ||
         conv_reads_phases(p);
}

/// The input of a conv_reads_phases convolution split into its phases
/// (the copy costs about a ninth of packing a 3x3 convolution's im2col):
/// dst[((b*c + ch)*4 + py*2 + px) * oh*ow + r*ow + s] = input pixel (2r + py,
/// 2s + px) of channel ch of image b, zero past the image.
/// Channels [begin, end) of the n * c.
static void split_phases(const mlc_conv2d_params *p, const float *input, float *dst,
                         int64_t begin, int64_t end) {
  const int64_t plane = p->oh * p->ow, ow = p->ow, w = p->w;
  for (int64_t ch = begin; ch < end; ++ch) {
    const float *in = input + ch * p->h * w;
    float *q = dst + ch * 4 * plane;
    for (int64_t r2 = 0; r2 < 2 * p->oh; ++r2) {
      const int64_t py = r2 & 1, r = r2 >> 1;
      float *even = q + py * 2 * plane + r * ow, *odd = even + plane;
      int64_t s = 0;
      if (r2 < p->h) {
        const float *row = in + r2 * w;
        for (; 2 * s + 1 < w; ++s) {
          even[s] = row[2 * s];
          odd[s] = row[2 * s + 1];
        }
        if (2 * s < w) {
          even[s] = row[2 * s];
          odd[s++] = 0.0f;
        }
      }
      for (; s < ow; ++s)
        even[s] = odd[s] = 0.0f;
    }
  }
}

/// Whether `p` is a strided 1x1 convolution without padding: it reads every
/// stride-th pixel, which mlc_rt_conv2d_f32 copies into a dense block first
/// (subsample), so that it runs as an unstrided one with its input read in
/// place (packing would gather the same pixels for every K block and strip:
/// 4-8% of a ResNet downsampling convolution).
static bool conv_reads_subsampled(const mlc_conv2d_params *p) {
  return p->kh == 1 && p->kw == 1 && (p->stride_h > 1 || p->stride_w > 1) && p->pad_top == 0 &&
         p->pad_left == 0 && (p->oh - 1) * p->stride_h < p->h && (p->ow - 1) * p->stride_w < p->w;
}

/// dst[(b*c + ch) * oh*ow + y*ow + x] = input pixel (y * stride_h, x *
/// stride_w) of channel ch of image b, for the channels [begin, end) of the
/// n * c.
static void subsample(const mlc_conv2d_params *p, const float *input, float *dst,
                      int64_t begin, int64_t end) {
  const int64_t oh = p->oh, ow = p->ow, w = p->w, sh = p->stride_h, sw = p->stride_w;
  for (int64_t ch = begin; ch < end; ++ch) {
    const float *in = input + ch * p->h * w;
    float *out = dst + ch * oh * ow;
    for (int64_t y = 0; y < oh; ++y, out += ow) {
      const float *row = in + y * sh * w;
      for (int64_t x = 0; x < ow; ++x)
        out[x] = row[x * sw];
    }
  }
}

typedef struct conv_job {
  const mlc_conv2d_params *p;
  const float *input, *weights, *bias;
  float *output;
  const kernel_isa *isa;
  int64_t M, K, N, P, cg; /* per group: rows, depth, columns, 8-row panels,
                             chans */
  int64_t P2;             /* weight panels (CONV_MR rows) per group */
  int64_t kc, nkb;        /* K block size and count */
  int64_t nb, mb;         /* column chunks (col_chunk) and row-panel chunks per unit */
  int64_t pchunk;         /* panels per row chunk */
  bool small_n;           /* channels in the vector: conv_task_small_n */
  bool shifted;           /* conv_reads_shifted, on an ISA with tile_shifted */
  const float *phases;    /* conv_reads_phases: the input split (split_phases) */
  /* A small_n convolution's input for tile_tb (direct_b): the input padded
   * with zeros as its taps read it (pad_planes), or the input itself; NULL:
   * pack B. Planes of drows x dcols floats, one per image x channel. */
  const float *direct;
  int64_t drows, dcols;
} conv_job;

/// Row panel p (output channels 8p .. 8p+7) of group g's weights from K row
/// k0 on, for the tiles (A rows CONV_MR floats apart). Tasks start at even
/// panels, so a weight panel's two halves go to the same task.
static inline const float *conv_weights(const conv_job *job, int64_t g, int64_t p, int64_t k0) {
  return job->weights + ((g * job->P2 + p / 2) * job->K + k0) * CONV_MR + p % 2 * PANEL_M;
}

static void conv_geom_init(const conv_job *job, int64_t b, int64_t g,
                           conv_geom *geom) {
  const mlc_conv2d_params *p = job->p;
  geom->in = job->input + (b * p->c + g * job->cg) * p->h * p->w;
  geom->h = p->h;
  geom->w = p->w;
  geom->hw = p->h * p->w;
  geom->kh = p->kh;
  geom->kw = p->kw;
  geom->khw = p->kh * p->kw;
  geom->oh = p->oh;
  geom->ow = p->ow;
  geom->sh = p->stride_h;
  geom->sw = p->stride_w;
  geom->dh = p->dilation_h;
  geom->dw = p->dilation_w;
  geom->pt = p->pad_top;
  geom->pl = p->pad_left;
  geom->direct = p->kh == 1 && p->kw == 1 && p->stride_h == 1 &&
                 p->stride_w == 1 && p->pad_top == 0 && p->pad_left == 0 &&
                 p->oh == p->h && p->ow == p->w;
}

/// Where the taps of a conv_job.shifted convolution read: tap (ky, kx) of
/// output pixel (y, x) is pixel (y + dy[ky], x + dx[kx]) of a plane of
/// rows[ky] x cols[kx] pixels (zero outside it) laid out ow pixels a row,
/// off[tap] floats from output pixel (y, x) of the channel's first plane.
/// The lead offsets are those of the taps that read furthest into a run of
/// input (a row of taps, or of one phase's taps): a tile's other taps read
/// what a tile before it read at a lead offset.
typedef struct shifted_taps {
  int64_t dy[SHIFTED_MAX_TAPS], rows[SHIFTED_MAX_TAPS];
  int64_t dx[SHIFTED_MAX_TAPS], cols[SHIFTED_MAX_TAPS];
  int64_t off[SHIFTED_MAX_TAPS];
  int64_t lead[SHIFTED_MAX_TAPS];
  int nlead;
} shifted_taps;

static void shifted_taps_init(const conv_geom *g, bool phases, shifted_taps *t) {
  const int64_t plane = g->oh * g->ow;
  int64_t plane_y[SHIFTED_MAX_TAPS], plane_x[SHIFTED_MAX_TAPS];
  for (int64_t ky = 0; ky < g->kh; ++ky) {
    const int64_t q = ky * g->dh - g->pt, py = phases ? q & 1 : 0;
    t->dy[ky] = phases ? (q - py) / 2 : q;
    t->rows[ky] = phases ? (g->h - py + 1) / 2 : g->h;
    plane_y[ky] = py * 2 * plane;
  }
  for (int64_t kx = 0; kx < g->kw; ++kx) {
    const int64_t q = kx * g->dw - g->pl, px = phases ? q & 1 : 0;
    t->dx[kx] = phases ? (q - px) / 2 : q;
    t->cols[kx] = phases ? (g->w - px + 1) / 2 : g->w;
    plane_x[kx] = px * plane;
  }
  t->nlead = 0;
  for (int64_t ky = 0; ky < g->kh; ++ky) {
    const int first = t->nlead;
    for (int64_t kx = g->kw - 1; kx >= 0; --kx) {
      const int64_t off = plane_y[ky] + plane_x[kx] + t->dy[ky] * g->ow + t->dx[kx];
      t->off[ky * g->kw + kx] = off;
      /* Within a line of a lead offset of this row: covered by it. */
      bool covered = false;
      for (int l = first; l < t->nlead; ++l)
        covered |= off <= t->lead[l] && off > t->lead[l] - 16;
      if (!covered)
        t->lead[t->nlead++] = off;
    }
  }
}

/// Bits [start, start + len) of a 32-bit mask.
static inline uint32_t bit_run(int start, int len) {
  return len >= 32 ? ~0u : ((1u << len) - 1) << start;
}

/// The bits of the tile's nc columns, from output column n0 on, whose tap
/// reads inside its plane, per tap: computed per run of columns in one
/// output row (at most three in a tile of 32 when ow >= 16).
static void shifted_masks(const conv_geom *g, const shifted_taps *t, int64_t n0, int nc,
                          uint32_t *mask) {
  uint32_t rows[SHIFTED_MAX_TAPS] = {0}, cols[SHIFTED_MAX_TAPS] = {0};
  int64_t y = n0 / g->ow, x = n0 % g->ow;
  for (int j = 0; j < nc; x = 0, ++y) {
    const int len = (int)min64(nc - j, g->ow - x);
    for (int64_t ky = 0; ky < g->kh; ++ky)
      if ((uint64_t)(y + t->dy[ky]) < (uint64_t)t->rows[ky])
        rows[ky] |= bit_run(j, len);
    /* Columns x .. x+len-1 of which x + dx lies in [0, cols). */
    for (int64_t kx = 0; kx < g->kw; ++kx) {
      const int64_t lo = max64(x, -t->dx[kx]), hi = min64(x + len, t->cols[kx] - t->dx[kx]);
      if (lo < hi)
        cols[kx] |= bit_run(j + (int)(lo - x), (int)(hi - lo));
    }
    j += len;
  }
  for (int64_t ky = 0; ky < g->kh; ++ky)
    for (int64_t kx = 0; kx < g->kw; ++kx)
      mask[ky * g->kw + kx] = rows[ky] & cols[kx];
}

/// Prefetches part `part` of `parts` equal parts of the `floats` floats at
/// `p` into L2.
static void prefetch_share(const float *p, int64_t floats, int64_t part, int64_t parts) {
  const int64_t lines = ceil_div(floats, 16);
  for (int64_t l = lines * part / parts; l < lines * (part + 1) / parts; ++l)
    __builtin_prefetch(p + l * 16, 0, 2);
}

/// conv_task for conv_job.shifted: the tiles read B where it lies, so
/// nothing is packed (K blocks are whole channels: job->kc % khw == 0).
static void conv_task_shifted(const conv_job *job, const conv_geom *g, int64_t b, int64_t gi,
                              int64_t n0, int64_t n1, int64_t p0, int64_t p1) {
  const kernel_isa *isa = job->isa;
  const int64_t N = job->N, tile_n = isa->tile_n, khw = g->khw;
  shifted_taps taps;
  shifted_taps_init(g, job->phases != NULL, &taps);
  uint32_t mask[SHIFTED_MAX_TAPS];
  /* The group's first channel and the floats between channels. */
  const int64_t chan = job->phases ? 4 * N : g->hw;
  const float *in =
      job->phases ? job->phases + (b * job->p->c + gi * job->cg) * chan : g->in;
  float *out = job->output + (b * job->p->f + gi * job->M) * N;
  for (int64_t kb = 0; kb < job->nkb; ++kb) {
    const int64_t k0 = kb * job->kc, kc = min64(job->kc, job->K - k0);
    tile_epilogue e = {NULL, NULL, kb > 0 || job->p->accumulate != 0,
                       kb == job->nkb - 1 ? job->p->activation : MLC_ACTIVATION_NONE};
    /* Groups of row panels whose weights stay in L2 while every tile goes
     * past them (with the whole K block in one panel, a 3x3 convolution of
     * 256 channels has 73 KiB of weights per panel). */
    const int64_t group = max64(2, SHIFTED_A_BLOCK / (kc * CONV_MR) * 2);
    const int64_t tiles = ceil_div(n1 - n0, tile_n);
    for (int64_t pg = p0; pg < p1; pg += group)
      for (int64_t n = n0; n < n1; n += tile_n) {
        const int nc = (int)min64(tile_n, n1 - n);
        shifted_masks(g, &taps, n, nc, mask);
        const shifted_b sb = {in + k0 / khw * chan + n, chan, khw, taps.off, mask};
        /* The first group reads the K block's input from memory or L3, a
         * line stream per channel and lead offset: too many for the
         * hardware prefetcher. Each tile fetches into L2 the lines a tile
         * SHIFTED_PREFETCH_TILES after it reads first; the groups after it
         * find them there. */
        if (pg == p0)
          for (int64_t ch = 0; ch < kc / khw; ++ch)
            for (int l = 0; l < taps.nlead; ++l) {
              const float *q = sb.in + ch * chan + taps.lead[l] + SHIFTED_PREFETCH_TILES * tile_n;
              __builtin_prefetch(q, 0, 2);
              __builtin_prefetch(q + 16, 0, 2);
            }
        for (int64_t p = pg; p < min64(p1, pg + group); ++p) {
          const float *a = conv_weights(job, gi, p, k0);
          /* The tiles read a panel's weights tap by tap, a stride the
           * hardware does not fetch ahead from memory: each call fetches
           * its share of the weight panel of the next group into L2. */
          if (p % 2 == 0 && p + group < p1)
            prefetch_share(conv_weights(job, gi, p + group, k0), kc * CONV_MR,
                           (n - n0) / tile_n, tiles);
          e.row_bias = job->bias && kb == 0 ? job->bias + gi * job->M + p * PANEL_M : NULL;
          isa->tile_shifted(kc, a, &sb, out + p * PANEL_M * N + n, N,
                            (int)min64(PANEL_M, job->M - p * PANEL_M), nc, &e);
        }
      }
  }
}

/// The definition, for when no packing buffer can be allocated.
static void conv_task_naive(const conv_job *job, int64_t b, int64_t g,
                            int64_t n0, int64_t n1, int64_t m0, int64_t m1) {
  const mlc_conv2d_params *p = job->p;
  for (int64_t m = m0; m < m1; ++m) {
    const int64_t o = g * job->M + m;
    /* Row m of its 8-row panel; K rows CONV_MR floats apart. */
    const float *wp = conv_weights(job, g, m / PANEL_M, 0) + m % PANEL_M;
    for (int64_t n = n0; n < n1; ++n) {
      const int64_t y = n / p->ow, x = n % p->ow;
      float *out = &job->output[(b * p->f + o) * job->N + n];
      float sum = (job->bias ? job->bias[o] : 0.0f) + (p->accumulate ? *out : 0.0f);
      for (int64_t k = 0; k < job->K; ++k) {
        const int64_t ci = k / (p->kh * p->kw), ky = k / p->kw % p->kh,
                      kx = k % p->kw;
        const int64_t iy = y * p->stride_h + ky * p->dilation_h - p->pad_top;
        const int64_t ix = x * p->stride_w + kx * p->dilation_w - p->pad_left;
        if (iy < 0 || iy >= p->h || ix < 0 || ix >= p->w)
          continue;
        sum +=
            wp[k * CONV_MR] *
            job->input[((b * p->c + g * job->cg + ci) * p->h + iy) * p->w + ix];
      }
      *out = activate1(p->activation, sum);
    }
  }
}

static void conv_task_small_n(const conv_job *job, int64_t b, int64_t g,
                              int64_t n0, int64_t n1, int64_t p0, int64_t p1);

static void conv_task(const conv_job *job, int64_t b, int64_t g, int64_t n0,
                      int64_t n1, int64_t p0, int64_t p1) {
  const kernel_isa *isa = job->isa;
  const int64_t strip = isa->tile_n * CONV_STRIP_TILES;
  /* A last strip of at most 8 columns (a 14x14 image: 196 = 6 x 32 + 4)
   * would use a few lanes of a 16-column vector: it goes through the
   * few-columns path, which puts 16 channels in a vector instead. */
  const int64_t rest = (n1 - n0) % strip;
  const int64_t tail = isa->tile_t && job->M >= 16 && rest <= 8 ? rest : 0;
  const int64_t ncols = n1 - n0 - tail, N = job->N;
  conv_geom geom;
  conv_geom_init(job, b, g, &geom);
  if (job->shifted) {
    conv_task_shifted(job, &geom, b, g, n0, n0 + ncols, p0, p1);
    if (tail > 0)
      conv_task_small_n(job, b, g, n1 - tail, n1, p0, p1);
    return;
  }
  float *buf = scratch((size_t)(job->kc * strip));
  if (!buf) {
    conv_task_naive(job, b, g, n0, n1, p0 * PANEL_M,
                    min64(job->M, p1 * PANEL_M));
    return;
  }
  const int64_t tile_n = isa->tile_n;
  const int64_t act = job->p->activation;
  float *out = job->output + (b * job->p->f + g * job->M) * N + n0;
  /* The weights of one K block (rows p0..p1) stay in L2 while strips of the
   * input, packed into an L1-sized buffer, go past them. */
  for (int64_t kb = 0; kb < job->nkb; ++kb) {
    const int64_t k0 = kb * job->kc, kc = min64(job->kc, job->K - k0);
    tile_epilogue e = {NULL, NULL, kb > 0 || job->p->accumulate != 0,
                       kb == job->nkb - 1 ? act : MLC_ACTIVATION_NONE};
    /* A 1x1 convolution whose input block is small enough to stay in L2
     * goes panel by panel over its whole strips, read in place: the output
     * is written as 8 row streams the hardware fetches ahead, not as one
     * stream per output channel (a 16 -> 96 channel expansion at 112x112
     * wrote 96). */
    int64_t j0 = 0;
    if (geom.direct && kc * ncols * (int64_t)sizeof(float) <= DIRECT_PANELS_OUTER_BYTES) {
      j0 = ncols / strip * strip;
      for (int64_t p = p0; p < p1 && j0 > 0; ++p) {
        const float *a = conv_weights(job, g, p, k0);
        e.row_bias = job->bias && kb == 0 ? job->bias + g * job->M + p * PANEL_M : NULL;
        /* The weights come from memory once per run: the 16-row panel
         * after this one (the next K block's first after the last) is
         * fetched into L2 a share per tile while this one computes. */
        const bool last = p + 2 >= p1;
        const int64_t q = last ? p0 : p + 2, qk0 = last ? k0 + kc : k0;
        const bool fetch = p % 2 == 0 && qk0 < job->K;
        for (int64_t t = 0; t < j0; t += tile_n) {
          if (fetch)
            prefetch_share(conv_weights(job, g, q, qk0), min64(kc, job->K - qk0) * CONV_MR,
                           t / tile_n, j0 / tile_n);
          isa->tile(kc, a, CONV_MR, geom.in + k0 * geom.hw + n0 + t, PANEL_N, geom.hw,
                    out + p * PANEL_M * N + t, N, (int)min64(PANEL_M, job->M - p * PANEL_M),
                    (int)tile_n, &e);
        }
      }
    }
    for (int64_t j = j0; j < ncols; j += strip) {
      const int64_t sc = min64(strip, ncols - j);
      /* A 1x1 convolution's B is its input, [k][hw]: whole strips are read
       * in place (saves a copy of the strip that only few row panels would
       * reuse: 20-25% of a 1x1 conv to 16-24 channels); the last, partial
       * one is packed, zero-padded to the tile width. */
      const bool in_place = geom.direct && sc == strip;
      const float *bsrc = in_place ? geom.in + k0 * geom.hw + n0 + j : buf;
      const int64_t ldb = in_place ? geom.hw : PANEL_N;
      if (!in_place)
        isa->pack_conv(&geom, k0, kc, n0 + j, sc, buf);
      for (int64_t p = p0; p < p1; ++p) {
        const int mr = (int)min64(PANEL_M, job->M - p * PANEL_M);
        const float *a = conv_weights(job, g, p, k0);
        /* The weight panel's next K block follows this one: each strip
         * fetches its share into L2 (from memory, scattered panel by panel,
         * the first strip would wait for every block). */
        if (kb + 1 < job->nkb && p % 2 == 0)
          prefetch_share(a + kc * CONV_MR, min64(kc, job->K - k0 - kc) * CONV_MR, j / strip,
                         ceil_div(ncols, strip));
        e.row_bias =
            job->bias && kb == 0 ? job->bias + g * job->M + p * PANEL_M : NULL;
        float *c = out + p * PANEL_M * N + j;
        for (int64_t t = 0; t < sc; t += tile_n)
          isa->tile(kc, a, CONV_MR, in_place ? bsrc + t : bsrc + t * kc,
                    in_place ? PANEL_N : kc * PANEL_N, ldb, c + t, N, mr,
                    (int)min64(tile_n, sc - t), &e);
      }
    }
  }
  if (tail > 0) /* after the loops: it takes its own scratch */
    conv_task_small_n(job, b, g, n1 - tail, n1, p0, p1);
}

/// Row panels (8 output channels each) that conv_task_small_n computes per pass,
/// and the most columns it takes: its transposed buffer holds 256 rows x up
/// to 256 columns (256 KiB).
#define SMALL_N_PANELS 32
#define SMALL_N_COLS 256

/// conv_task for outputs with few columns (7x7, 1x1 images), where a vector
/// of 16 columns would be mostly padding: output channels go in the vector
/// (a 16-channel weight panel per vector) and columns are broadcast. The
/// sums collect transposed in a buffer ([column][channel]) that the bias,
/// ReLU and a transposing copy turn into the output at the end. At most
/// SMALL_N_COLS columns (conv_body's passes; conv_task's last strip has at
/// most 8).
static void conv_task_small_n(const conv_job *job, int64_t b, int64_t g,
                              int64_t n0, int64_t n1, int64_t p0, int64_t p1) {
  const mlc_conv2d_params *p = job->p;
  const int64_t ncols = n1 - n0, N = job->N, khw = p->kh * p->kw;
  /* Its own K blocks (the job's are another path's when this is the last
   * strip of conv_task), short enough for 4 weight panels in L1; whole
   * channels when the tiles read B in place. */
  const bool direct = job->direct != NULL;
  const int64_t nkb = direct ? max64(1, ceil_div(job->cg, max64(1, KC_SMALL_N / khw)))
                             : max64(1, ceil_div(job->K, KC_SMALL_N));
  const int64_t kcmax = direct ? ceil_div(job->cg, nkb) * khw : ceil_div(job->K, nkb);
  /* A pass's channel vectors end at most 8 channels past its last row. */
  const int64_t ldct = round_up(min64(p1 - p0, SMALL_N_PANELS) * PANEL_M, 16);
  const int64_t packed = direct ? 0 : kcmax * round_up(ncols, PANEL_N);
  float *buf = scratch((size_t)(packed + ncols * ldct));
  if (!buf) {
    conv_task_naive(job, b, g, n0, n1, p0 * PANEL_M,
                    min64(job->M, p1 * PANEL_M));
    return;
  }
  float *ct = buf + packed;
  conv_geom geom;
  conv_geom_init(job, b, g, &geom);
  /* direct_b's offsets: per tap, and per column (at most SMALL_N_COLS)
   * its first tap's pixel. */
  int64_t off[SHIFTED_MAX_TAPS], col[SMALL_N_COLS];
  direct_b db = {NULL, job->drows * job->dcols, khw, off, col};
  if (direct) {
    for (int64_t t = 0; t < khw; ++t)
      off[t] = t / p->kw * p->dilation_h * job->dcols + t % p->kw * p->dilation_w;
    for (int64_t j = 0, y = n0 / p->ow, x = n0 % p->ow; j < ncols; ++j) {
      col[j] = y * p->stride_h * job->dcols + x * p->stride_w;
      if (++x == p->ow)
        x = 0, ++y;
    }
  }
  const kernel_isa *isa = job->isa;
  /* Blocks of rows bound the transposed buffer; each packs B again, which
   * costs little next to SMALL_N_PANELS panels of products. */
  for (int64_t pb = p0; pb < p1; pb += SMALL_N_PANELS) {
    const int64_t pe = min64(p1, pb + SMALL_N_PANELS);
    for (int64_t kb = 0; kb < nkb; ++kb) {
      const int64_t k0 = kb * kcmax, kc = min64(kcmax, job->K - k0);
      if (direct)
        db.in = job->direct + (b * p->c + g * job->cg + k0 / khw) * db.plane;
      else
        isa->pack_conv(&geom, k0, kc, n0, ncols, buf);
      /* 32 channels a tile, or 64 for at most 4 columns (enough FMAs per
       * k for the loads and broadcasts). pb is even. */
      const int64_t step = ncols <= 4 ? 8 : 4;
      for (int64_t pp = pb; pp < pe; pp += step) {
        const int64_t np = min64(step, pe - pp), cv = (np + 1) / 2;
        const float *a[4];
        for (int64_t v = 0; v < cv; ++v)
          a[v] = conv_weights(job, g, pp + 2 * v, k0);
        for (int64_t c = 0; c < ncols; c += 8) {
          const int nc = (int)min64(8, ncols - c);
          /* The panels' next K blocks follow these ones: each call fetches
           * its share into L2 (as conv_task does). */
          if (kb + 1 < nkb)
            for (int64_t v = 0; v < cv; ++v)
              prefetch_share(a[v] + kc * CONV_MR, min64(kc, job->K - k0 - kc) * CONV_MR, c / 8,
                             ceil_div(ncols, 8));
          float *dst = ct + c * ldct + (pp - pb) * PANEL_M;
          if (direct) {
            db.col = col + c;
            isa->tile_tb(kc, a, &db, dst, ldct, (int)cv, nc, kb > 0);
          } else {
            isa->tile_t(kc, a, buf + (c / PANEL_N) * kc * PANEL_N + c % PANEL_N, dst, ldct,
                        (int)cv, nc, kb > 0);
          }
        }
      }
    }
    const int64_t m0 = pb * PANEL_M, m1 = min64(job->M, pe * PANEL_M);
    isa->store_t(ct, ldct, m1 - m0, ncols, job->bias ? job->bias + g * job->M + m0 : NULL,
                 job->p->accumulate != 0, job->output + (b * job->p->f + g * job->M + m0) * N + n0,
                 N);
    activate_rows(isa, job->p->activation, job->output + (b * job->p->f + g * job->M + m0) * N + n0,
                  m1 - m0, ncols, N);
  }
}

/// A loop over planes (image x channel) from `input` into `output`:
/// split_phases, subsample and max pooling.
typedef struct plane_job {
  const mlc_conv2d_params *p;
  const float *input;
  float *output;
} plane_job;

static void phases_body(void *closure, int64_t begin, int64_t end) {
  const plane_job *job = (const plane_job *)closure;
  get_isa()->split_phases(job->p, job->input, job->output, begin, end);
}

static void subsample_body(void *closure, int64_t begin, int64_t end) {
  const plane_job *job = (const plane_job *)closure;
  subsample(job->p, job->input, job->output, begin, end);
}

/// conv_job.direct's copy of planes [begin, end) of the input: row r,
/// column x of a drows x dcols plane is input pixel (r - pad_top, x -
/// pad_left), zero outside the image.
static void pad_planes(const conv_job *job, int64_t begin, int64_t end) {
  const mlc_conv2d_params *p = job->p;
  const int64_t rows = job->drows, cols = job->dcols;
  /* Columns [x0, x1) of a padded row come from the image. */
  const int64_t x0 = min64(cols, p->pad_left), x1 = min64(cols, p->pad_left + p->w);
  for (int64_t i = begin; i < end; ++i) {
    const float *in = job->input + i * p->h * p->w;
    float *dst = (float *)job->direct + i * rows * cols;
    for (int64_t r = 0; r < rows; ++r, dst += cols) {
      const int64_t y = r - p->pad_top;
      if (y < 0 || y >= p->h) {
        memset(dst, 0, (size_t)cols * sizeof(float));
        continue;
      }
      memset(dst, 0, (size_t)x0 * sizeof(float));
      memcpy(dst + x0, in + y * p->w, (size_t)(x1 - x0) * sizeof(float));
      memset(dst + x1, 0, (size_t)(cols - x1) * sizeof(float));
    }
  }
}

static void pad_body(void *closure, int64_t begin, int64_t end) {
  pad_planes((const conv_job *)closure, begin, end);
}

static void conv_body(void *closure, int64_t begin, int64_t end) {
  const conv_job *job = (const conv_job *)closure;
  const int64_t per_unit = job->nb * job->mb;
  for (int64_t t = begin; t < end; ++t) {
    const int64_t unit = t / per_unit, rest = t % per_unit;
    const int64_t ni = rest / job->mb, mi = rest % job->mb;
    const int64_t b = unit / job->p->group, g = unit % job->p->group;
    const col_range cols = col_chunk(job->N, job->isa->tile_n, job->nb, ni);
    const int64_t n0 = cols.lo, n1 = cols.hi;
    const int64_t p0 = mi * job->pchunk, p1 = min64(job->P, p0 + job->pchunk);
    if (n0 >= n1 || p0 >= p1)
      continue;
    if (job->small_n)
      for (int64_t c0 = n0; c0 < n1; c0 += SMALL_N_COLS)
        conv_task_small_n(job, b, g, c0, min64(n1, c0 + SMALL_N_COLS), p0, p1);
    else
      conv_task(job, b, g, n0, n1, p0, p1);
  }
}

static void dw_body(void *closure, int64_t begin, int64_t end) {
  const dw_job *job = (const dw_job *)closure;
  get_isa()->depthwise(job, begin, end);
}

static void dw_cblock_body(void *closure, int64_t begin, int64_t end) {
  const dw_job *job = (const dw_job *)closure;
  get_isa()->depthwise_cblock(job, begin, end);
}

void mlc_rt_depthwise_f32(const mlc_conv2d_params *p, const float *input,
                          const float *weights, int64_t tap_stride,
                          const float *bias, float *output) {
  if (!p || p->group <= 0 || p->f % p->group != 0)
    return;
  const int64_t M = p->f / p->group, K = p->kh * p->kw;
  const int64_t planes = p->n * p->f, N = p->oh * p->ow;
  if (planes <= 0 || N <= 0)
    return;
  dw_job dw = {p, input, weights,    bias,           output, M, ceil_div(M, CONV_MR),
               K, tap_stride, get_isa()->activate};
  mlc_exec_ctx *ctx = mlc_rt_current_ctx();
  const int64_t threads =
      available_threads(ctx, (double)planes * (double)N * (double)K);
  if (get_isa()->depthwise_cblock && dwc_applies(p, M)) {
    mlc_rt_parallel_for(threads > 1 ? ctx : NULL, p->n * ceil_div(p->f, 16), dw_cblock_body, &dw);
    return;
  }
  mlc_rt_parallel_for(threads > 1 ? ctx : NULL, planes, dw_body, &dw);
}

static void maxpool_body(void *closure, int64_t begin, int64_t end) {
  const plane_job *job = (const plane_job *)closure;
  get_isa()->maxpool(job->p, job->input, job->output, begin, end);
}

void mlc_rt_maxpool2d_f32(const mlc_conv2d_params *p, const float *input, float *output) {
  if (!p || p->c != p->f)
    return;
  const int64_t planes = p->n * p->c;
  if (planes <= 0 || p->oh <= 0 || p->ow <= 0)
    return;
  plane_job job = {p, input, output};
  mlc_exec_ctx *ctx = mlc_rt_current_ctx();
  const int64_t threads =
      available_threads(ctx, (double)planes * (double)(p->oh * p->ow) * (double)(p->kh * p->kw));
  mlc_rt_parallel_for(threads > 1 ? ctx : NULL, planes, maxpool_body, &job);
}

void mlc_rt_conv2d_f32(const mlc_conv2d_params *params, const float *input,
                       const float *packed_weights, const float *bias,
                       float *output) {
  if (!params || params->group <= 0)
    return;
  const mlc_conv2d_params *p = params;
  conv_job job;
  job.p = p;
  job.input = input;
  job.weights = packed_weights;
  job.bias = bias;
  job.output = output;
  job.isa = get_isa();
  job.M = p->f / p->group;
  job.cg = p->c / p->group;
  job.K = job.cg * p->kh * p->kw;
  job.N = p->oh * p->ow;
  job.P = ceil_div(job.M, PANEL_M);
  job.P2 = ceil_div(job.M, CONV_MR);
  if (p->n <= 0 || job.M <= 0 || job.N <= 0)
    return;
  if (job.cg == 1 && !p->accumulate) { /* the depthwise kernels do not add a residual */
    mlc_rt_depthwise_f32(p, input, packed_weights, CONV_MR, bias, output);
    return;
  }
  mlc_exec_ctx *ctx = mlc_rt_current_ctx();
  /* Few columns: a vector of 16 columns would be mostly padding (49 of 64
   * lanes for a 7x7 image); put 16 output channels in it instead, with a K
   * block small enough that 32 channels' weights and all of B stay in L1.
   * Where the tiles can read B in place (tile_tb: no packing), also for
   * other outputs narrower than a vector, where every vector of columns
   * holds a row edge (3x3 convolutions of 256 channels at 14x14, stride 1
   * or 2, ran 3-6% faster, and those at 7x7 7-9%), and for strided ones of
   * at least 16 channels a group, whose stride the broadcasts take for free
   * (3x3 of 64-128 channels from 56x56 to 28x28: 1.5-4% faster than on
   * the input's phases; with 3 channels, 7-13% slower). 1x1 convolutions
   * keep packing (read in place, those of resnet50's last stage ran 4-7%
   * slower). */
  const bool in_place = job.isa->tile_tb && p->kh * p->kw > 1 && p->kh * p->kw <= SHIFTED_MAX_TAPS;
  const bool mostly_padding =
      job.N <= 256 && (double)job.N < 0.88 * (double)round_up(job.N, 16);
  const bool narrow = job.N <= 256 && p->ow < 16;
  const bool strided = p->stride_h > 1 && p->stride_w > 1 && job.cg >= 16;
  job.small_n =
      job.isa->tile_t && job.M >= 16 && (mostly_padding || (in_place && (narrow || strided)));
  /* The K blocks of conv_task (conv_task_small_n picks its own). */
  job.nkb = max64(1, ceil_div(job.K, KC_MAX));
  job.kc = ceil_div(job.K, job.nkb);
  const int64_t units = p->n * p->group;
  const int64_t threads = available_threads(
      ctx, (double)units * (double)job.M * (double)job.N * (double)job.K);
  if (conv_reads_subsampled(p)) {
    float *dense = scratch_slot(SCRATCH_CALL, (size_t)(p->n * p->c * job.N));
    if (dense) {
      plane_job pj = {p, input, dense};
      /* The copy goes parallel where the convolution would. */
      mlc_rt_parallel_for(threads > 1 ? ctx : NULL, p->n * p->c, subsample_body, &pj);
      mlc_conv2d_params dense_p = *p;
      dense_p.h = p->oh;
      dense_p.w = p->ow;
      dense_p.stride_h = dense_p.stride_w = 1;
      mlc_rt_conv2d_f32(&dense_p, dense, packed_weights, bias, output);
      return;
    }
  }
  job.direct = NULL;
  if (job.small_n && in_place) {
    /* The rows and columns of the padded plane the taps read. */
    job.drows = (p->oh - 1) * p->stride_h + (p->kh - 1) * p->dilation_h + 1;
    job.dcols = (p->ow - 1) * p->stride_w + (p->kw - 1) * p->dilation_w + 1;
    if (p->pad_top == 0 && p->pad_left == 0 && job.drows <= p->h && job.dcols <= p->w) {
      job.direct = input; /* no tap leaves the image */
      job.drows = p->h;
      job.dcols = p->w;
    } else {
      float *padded = scratch_slot(SCRATCH_CALL, (size_t)(p->n * p->c * job.drows * job.dcols));
      if (padded) {
        job.direct = padded;
        mlc_rt_parallel_for(threads > 1 ? ctx : NULL, p->n * p->c, pad_body, &job);
      }
    }
  }
  job.phases = NULL;
  job.shifted = !job.small_n && conv_reads_shifted(p) && job.isa->tile_shifted;
  if (job.shifted && conv_reads_phases(p)) {
    float *phases = scratch_slot(SCRATCH_CALL, (size_t)(p->n * p->c * 4 * job.N));
    if (phases) {
      plane_job pj = {p, input, phases};
      mlc_rt_parallel_for(threads > 1 ? ctx : NULL, p->n * p->c, phases_body, &pj);
    }
    job.phases = phases;
    job.shifted = phases != NULL; /* else packed */
  }
  if (job.shifted) {
    /* Long K blocks of whole channels (a shifted_b block starts at one). */
    const int64_t khw = p->kh * p->kw;
    job.nkb = max64(1, ceil_div(job.K, SHIFTED_KC_MAX));
    job.kc = ceil_div(job.cg, job.nkb) * khw;
    job.nkb = ceil_div(job.K, job.kc);
  }
  /* Column chunks small enough that the output block (M x chunk), which
   * every K block revisits, stays in L2; row splits repack the same input,
   * which costs about as much as computing one more panel. */
  const int64_t col_max =
      round_up(max64(64, min64(CONV_NC_MAX, CONV_C_BLOCK / job.M)), 32);
  plan_split(threads, units, job.P, job.N, job.isa->tile_n, col_max, 64,
             job.small_n ? 4 : 2, 1.0, 16.0, true, true, &job.nb, &job.mb);
  /* Whole weight panels per task (conv_weights); with few columns, whole
   * 32-channel vector pairs. */
  job.pchunk = round_up(ceil_div(job.P, job.mb), job.small_n ? 4 : 2);
  mlc_rt_parallel_for(threads > 1 ? ctx : NULL, units * job.nb * job.mb,
                      conv_body, &job);
}

/*===----------------------------------------------------------------------===*
 * Matmul
 *===----------------------------------------------------------------------===*/

typedef struct matmul_job {
  const mlc_matmul_params *p;
  const float *a, *b, *bias;
  float *c;
  const kernel_isa *isa;
  int64_t P;              /* row panels */
  int64_t kc, nkb;        /* K block size and count */
  int64_t nb, mb;         /* column chunks (col_chunk) and row-panel chunks per batch */
  int64_t pchunk;         /* panels per row chunk */
} matmul_job;


static void matmul_task_naive(const matmul_job *job, const float *a, float *c,
                              int64_t i0, int64_t i1, int64_t j0, int64_t j1) {
  const mlc_matmul_params *p = job->p;
  for (int64_t i = i0; i < i1; ++i)
    for (int64_t j = j0; j < j1; ++j) {
      float sum = job->bias ? job->bias[j] : 0.0f;
      const float *bp = job->b + (j / PANEL_N) * p->k * PANEL_N + j % PANEL_N;
      for (int64_t kk = 0; kk < p->k; ++kk)
        sum += a[i * p->lda + kk] * bp[kk * PANEL_N];
      c[i * p->n + j] = activate1(p->activation, sum);
    }
}

static void matmul_task(const matmul_job *job, int64_t batch, int64_t i0,
                        int64_t i1, int64_t j0, int64_t j1) {
  const mlc_matmul_params *p = job->p;
  const float *a = job->a + batch * p->batch_stride_a;
  float *c = job->c + batch * p->m * p->n;
  const int64_t mc_max = min64(MATMUL_MC_MAX, round_up(i1 - i0, PANEL_M));
  float *buf = scratch((size_t)(mc_max * job->kc));
  if (!buf) {
    matmul_task_naive(job, a, c, i0, i1, j0, j1);
    return;
  }
  const kernel_isa *isa = job->isa;
  const int64_t tile_n = isa->tile_n, n = p->n, k = p->k;
  for (int64_t ib = i0; ib < i1; ib += mc_max) {
    const int64_t mc = min64(mc_max, i1 - ib);
    for (int64_t kb = 0; kb < job->nkb; ++kb) {
      const int64_t k0 = kb * job->kc, kc = min64(job->kc, k - k0);
      isa->pack_a(a + ib * p->lda + k0, p->lda, mc, kc, buf);
      tile_epilogue e = {NULL, NULL, kb > 0,
                         kb == job->nkb - 1 ? p->activation : MLC_ACTIVATION_NONE};
      for (int64_t j = j0; j < j1; j += tile_n) {
        const int nc = (int)min64(tile_n, j1 - j);
        const float *bp = job->b + ((j / PANEL_N) * k + k0) * PANEL_N;
        e.col_bias = job->bias && kb == 0 ? job->bias + j : NULL;
        /* The next tile column's weights (rows k0.. of its panels) come from
         * L3 or memory: fetch them into L2 a slice per row panel, while this
         * column's tiles compute from L1. With few row panels there is too
         * little work to hide the fetches behind (a matrix-vector product
         * streams the weights, which the hardware prefetcher follows). */
        const int64_t panels = ceil_div(mc, PANEL_M);
        const int64_t next = j + tile_n < j1 && panels >= 4 ? tile_n / PANEL_N : 0;
        const float *bn = bp + (tile_n / PANEL_N) * k * PANEL_N;
        const int64_t lines = next * kc;
        for (int64_t i = 0, pi = 0; i < mc; i += PANEL_M, ++pi) {
          for (int64_t l = pi * lines / panels; l < (pi + 1) * lines / panels; ++l)
            __builtin_prefetch(bn + (l / kc) * k * PANEL_N + (l % kc) * PANEL_N, 0, 2);
          isa->tile(kc, buf + i * kc, PANEL_M, bp, k * PANEL_N, PANEL_N, c + (ib + i) * n + j, n,
                    (int)min64(PANEL_M, mc - i), nc, &e);
        }
      }
    }
  }
}

/* The output block of task `t` in the (batch, row chunk, column chunk) split
 * both matmul drivers use; false when the block is empty. */
typedef struct task_block {
  int64_t batch, i0, i1, j0, j1;
} task_block;

static int task_block_of(int64_t t, int64_t nb, int64_t mb, int64_t pchunk, int64_t col_align,
                         int64_t m, int64_t n, task_block *blk) {
  const int64_t per_batch = nb * mb;
  const int64_t rest = t % per_batch, mi = rest / nb, ni = rest % nb;
  blk->batch = t / per_batch;
  blk->i0 = mi * pchunk * PANEL_M;
  blk->i1 = min64(m, blk->i0 + pchunk * PANEL_M);
  const col_range cols = col_chunk(n, col_align, nb, ni);
  blk->j0 = cols.lo;
  blk->j1 = cols.hi;
  return blk->i0 < blk->i1 && blk->j0 < blk->j1;
}

static void matmul_body(void *closure, int64_t begin, int64_t end) {
  const matmul_job *job = (const matmul_job *)closure;
  task_block blk;
  for (int64_t t = begin; t < end; ++t)
    if (task_block_of(t, job->nb, job->mb, job->pchunk, job->isa->tile_n, job->p->m, job->p->n,
                      &blk))
      matmul_task(job, blk.batch, blk.i0, blk.i1, blk.j0, blk.j1);
}

void mlc_rt_matmul_f32(const mlc_matmul_params *params, const float *a,
                       const float *packed_b, const float *bias, float *c) {
  if (!params)
    return;
  const mlc_matmul_params *p = params;
  if (p->batch <= 0 || p->m <= 0 || p->n <= 0)
    return;
  matmul_job job;
  job.p = p;
  job.a = a;
  job.b = packed_b;
  job.bias = bias;
  job.c = c;
  job.isa = get_isa();
  job.P = ceil_div(p->m, PANEL_M);
  /* K blocks keep a block of A in L1 across the tiles of a row panel. With
   * one row panel (a matrix-vector product) A is small anyway, and one
   * block lets each tile stream its weight panels from start to end, as the
   * hardware prefetcher likes, instead of hopping 128 KiB between panels
   * every KC rows (1 x 2048 x 1000 from memory: 0.40 -> 0.31 ms). */
  job.nkb = p->m <= PANEL_M ? 1 : max64(1, ceil_div(p->k, KC_MAX));
  job.kc = ceil_div(max64(p->k, 0), job.nkb);
  /* Every batch of a broadcast A gives the same product: compute one, copy. */
  const int64_t batches = p->batch_stride_a == 0 ? 1 : p->batch;
  mlc_exec_ctx *ctx = mlc_rt_current_ctx();
  const int64_t threads = available_threads(
      ctx, (double)batches * (double)p->m * (double)p->n * (double)p->k);
  plan_split(threads, batches, job.P, p->n, job.isa->tile_n, INT64_MAX / 2, 32,
             1, 2.0, 32.0, false, false, &job.nb, &job.mb);
  job.pchunk = ceil_div(job.P, job.mb);
  mlc_rt_parallel_for(threads > 1 ? ctx : NULL, batches * job.nb * job.mb,
                      matmul_body, &job);
  for (int64_t b = batches; b < p->batch; ++b)
    memcpy(c + b * p->m * p->n, c, (size_t)(p->m * p->n) * sizeof(float));
}

/*===----------------------------------------------------------------------===*
 * Batched matmul of two run-time tensors
 *
 * The same engine as mlc_rt_matmul_f32, with B packed here as well: each task
 * (batch x row chunk x column chunk) packs, per K block and block of at most
 * BMM_NC columns, its part of B[b] into [kc][16] panels right after its
 * packed A block in its per-thread buffer.
 *===----------------------------------------------------------------------===*/

/// Largest column block of B packed at once (KC_MAX x 256 floats: 256 KiB).
#define BMM_NC_MAX 256

typedef struct bmm_job {
  const mlc_batch_matmul_params *p;
  const float *a, *b;
  float *c;
  const kernel_isa *isa;
  int64_t kc, nkb;        /* K block size and count */
  int64_t nb, mb;         /* column chunks (col_chunk) and row-panel chunks per batch */
  int64_t pchunk;         /* panels per row chunk */
} bmm_job;

/// Packs B[0 .. kc, 0 .. ncols] (row stride ldb) into ceil(ncols/16) panels
/// dst[(q*kc + kk)*16 + r], zero past ncols.
static void pack_b(const float *b, int64_t ldb, int64_t kc, int64_t ncols,
                   float *dst) {
  const int64_t full = ncols / PANEL_N, tail = ncols % PANEL_N;
  for (int64_t kk = 0; kk < kc; ++kk) {
    const float *src = b + kk * ldb;
    for (int64_t q = 0; q < full; ++q)
      memcpy(dst + (q * kc + kk) * PANEL_N, src + q * PANEL_N,
             PANEL_N * sizeof(float));
    if (tail) {
      float *out = dst + (full * kc + kk) * PANEL_N;
      memcpy(out, src + full * PANEL_N, (size_t)tail * sizeof(float));
      memset(out + tail, 0, (size_t)(PANEL_N - tail) * sizeof(float));
    }
  }
}

static void bmm_task_naive(const bmm_job *job, const float *a, const float *b,
                           float *c, int64_t i0, int64_t i1, int64_t j0,
                           int64_t j1) {
  const mlc_batch_matmul_params *p = job->p;
  for (int64_t i = i0; i < i1; ++i)
    for (int64_t j = j0; j < j1; ++j) {
      float sum = 0.0f;
      for (int64_t kk = 0; kk < p->k; ++kk)
        sum += a[i * p->lda + kk] * b[kk * p->ldb + j];
      c[i * p->n + j] = sum;
    }
}

static void bmm_task(const bmm_job *job, int64_t batch, int64_t i0, int64_t i1,
                     int64_t j0, int64_t j1) {
  const mlc_batch_matmul_params *p = job->p;
  const float *a = job->a + batch * p->batch_stride_a;
  const float *b = job->b + batch * p->batch_stride_b;
  float *c = job->c + batch * p->m * p->n;
  const int64_t mc_max = min64(MATMUL_MC_MAX, round_up(i1 - i0, PANEL_M));
  const int64_t nc_max = min64(BMM_NC_MAX, round_up(j1 - j0, PANEL_N));
  const int64_t a_floats = round_up(mc_max * job->kc, 16);
  float *buf = scratch((size_t)(a_floats + nc_max * job->kc));
  if (!buf) {
    bmm_task_naive(job, a, b, c, i0, i1, j0, j1);
    return;
  }
  float *bbuf = buf + a_floats;
  const kernel_isa *isa = job->isa;
  const int64_t tile_n = isa->tile_n, n = p->n, k = p->k;
  for (int64_t ib = i0; ib < i1; ib += mc_max) {
    const int64_t mc = min64(mc_max, i1 - ib);
    for (int64_t kb = 0; kb < job->nkb; ++kb) {
      const int64_t k0 = kb * job->kc, kc = min64(job->kc, k - k0);
      isa->pack_a(a + ib * p->lda + k0, p->lda, mc, kc, buf);
      const tile_epilogue e = {NULL, NULL, kb > 0, MLC_ACTIVATION_NONE};
      for (int64_t jb = j0; jb < j1; jb += nc_max) {
        const int64_t ncb = min64(nc_max, j1 - jb);
        pack_b(b + k0 * p->ldb + jb, p->ldb, kc, ncb, bbuf);
        for (int64_t j = 0; j < ncb; j += tile_n) {
          const int nc = (int)min64(tile_n, ncb - j);
          const float *bp = bbuf + (j / PANEL_N) * kc * PANEL_N;
          for (int64_t i = 0; i < mc; i += PANEL_M)
            isa->tile(kc, buf + i * kc, PANEL_M, bp, kc * PANEL_N, PANEL_N,
                      c + (ib + i) * n + jb + j, n, (int)min64(PANEL_M, mc - i),
                      nc, &e);
        }
      }
    }
  }
}

static void bmm_body(void *closure, int64_t begin, int64_t end) {
  const bmm_job *job = (const bmm_job *)closure;
  task_block blk;
  for (int64_t t = begin; t < end; ++t)
    if (task_block_of(t, job->nb, job->mb, job->pchunk, job->isa->tile_n, job->p->m, job->p->n,
                      &blk))
      bmm_task(job, blk.batch, blk.i0, blk.i1, blk.j0, blk.j1);
}

void mlc_rt_batch_matmul_f32(const mlc_batch_matmul_params *params,
                             const float *a, const float *b, float *c) {
  if (!params)
    return;
  const mlc_batch_matmul_params *p = params;
  if (p->batch <= 0 || p->m <= 0 || p->n <= 0)
    return;
  if (p->k <= 0) { /* an empty sum */
    memset(c, 0, (size_t)(p->batch * p->m * p->n) * sizeof(float));
    return;
  }
  bmm_job job;
  job.p = p;
  job.a = a;
  job.b = b;
  job.c = c;
  job.isa = get_isa();
  job.nkb = ceil_div(p->k, KC_MAX);
  job.kc = ceil_div(p->k, job.nkb);
  /* Every batch gives the same product when both operands broadcast. */
  const int64_t batches =
      p->batch_stride_a == 0 && p->batch_stride_b == 0 ? 1 : p->batch;
  const int64_t P = ceil_div(p->m, PANEL_M);
  mlc_exec_ctx *ctx = mlc_rt_current_ctx();
  const int64_t threads = available_threads(
      ctx, (double)batches * (double)p->m * (double)p->n * (double)p->k);
  plan_split(threads, batches, P, p->n, job.isa->tile_n, INT64_MAX / 2, 32, 1,
             2.0, 32.0, false, false, &job.nb, &job.mb);
  job.pchunk = ceil_div(P, job.mb);
  mlc_rt_parallel_for(threads > 1 ? ctx : NULL, batches * job.nb * job.mb,
                      bmm_body, &job);
  for (int64_t bi = batches; bi < p->batch; ++bi)
    memcpy(c + bi * p->m * p->n, c, (size_t)(p->m * p->n) * sizeof(float));
}
