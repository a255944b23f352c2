/*===- strings.c - String tensors, the run's arena and its errors --------===*
 *
 * Generated code holds a string tensor as an array of addresses of
 * NUL-terminated UTF-8 strings, and calls the functions below once per
 * element (include/mlc/runtime.h). The strings they make are allocated in
 * the running model's arena, which the next run frees; the arena also keeps
 * the first error of a run (a split with more parts than the output has room
 * for, a pattern that does not compile, a computed output dim that is not
 * the declared one), which the run then returns.
 *
 * Regular expressions use the C library's POSIX extended regexes; ONNX's
 * patterns are RE2 syntax, which is translated: \d \w \s and their negations
 * become bracket expressions, escapes inside brackets become the characters,
 * non-capturing groups become groups.
 *===----------------------------------------------------------------------===*/
#define _GNU_SOURCE
#include "internal.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mlc_string_block {
  struct mlc_string_block *next;
  char text[];
};

void mlc_string_arena_init(mlc_string_arena *arena) {
  pthread_mutex_init(&arena->mutex, NULL);
  arena->blocks = NULL;
  arena->error = NULL;
}

void mlc_string_arena_reset(mlc_string_arena *arena) {
  pthread_mutex_lock(&arena->mutex);
  struct mlc_string_block *b = arena->blocks;
  while (b) {
    struct mlc_string_block *next = b->next;
    free(b);
    b = next;
  }
  arena->blocks = NULL;
  free(arena->error);
  arena->error = NULL;
  pthread_mutex_unlock(&arena->mutex);
}

void mlc_string_arena_destroy(mlc_string_arena *arena) {
  mlc_string_arena_reset(arena);
  pthread_mutex_destroy(&arena->mutex);
}

void mlc_run_fail(const char *fmt, ...) {
  mlc_exec_ctx *ctx = mlc_rt_current_ctx();
  if (!ctx)
    return;
  char message[512];
  va_list args;
  va_start(args, fmt);
  vsnprintf(message, sizeof(message), fmt, args);
  va_end(args);
  pthread_mutex_lock(&ctx->strings.mutex);
  if (!ctx->strings.error)
    ctx->strings.error = strdup(message);
  pthread_mutex_unlock(&ctx->strings.mutex);
}

/// A new string of `length` bytes (plus the NUL) in the run's arena, or NULL
/// outside a run or when memory runs out (recorded as the run's error).
static char *arena_alloc(size_t length) {
  mlc_exec_ctx *ctx = mlc_rt_current_ctx();
  if (!ctx)
    return NULL;
  struct mlc_string_block *b =
      (struct mlc_string_block *)malloc(sizeof(*b) + length + 1);
  if (!b) {
    mlc_run_fail("out of memory for a string of %zu bytes", length);
    return NULL;
  }
  b->text[length] = '\0';
  pthread_mutex_lock(&ctx->strings.mutex);
  b->next = ctx->strings.blocks;
  ctx->strings.blocks = b;
  pthread_mutex_unlock(&ctx->strings.mutex);
  return b->text;
}

static int64_t handle(const char *s) { return (int64_t)(intptr_t)s; }

/// The string at `s`; "" for a NULL element.
static const char *text(int64_t s) {
  const char *p = (const char *)(intptr_t)s;
  return p ? p : "";
}

static int64_t copy_of(const char *s, size_t length) {
  char *out = arena_alloc(length);
  if (out)
    memcpy(out, s, length);
  return handle(out);
}

int64_t mlc_rt_check_dim(int64_t actual, int64_t declared) {
  if (actual != declared)
    mlc_run_fail("an output has a dim of %lld where the model declares %lld", (long long)actual,
         (long long)declared);
  return actual;
}

/*===----------------------------------------------------------------------===*
 * Numbers
 *===----------------------------------------------------------------------===*/

/// `value` in its shortest decimal form that reads back exactly at
/// `max_digits` significant digits (9 for float32, 17 for float64), laid out
/// as NumPy's str() does: positional for 1e-4 <= |value| < 1e16 with at
/// least one digit after the point, else d.ddde+XX.
static int64_t format_float(double value, int max_digits, bool single) {
  if (isnan(value))
    return copy_of("nan", 3);
  if (isinf(value))
    return value < 0 ? copy_of("-inf", 4) : copy_of("inf", 3);
  char sci[64];
  int digits = 1;
  for (; digits < max_digits; ++digits) {
    snprintf(sci, sizeof(sci), "%.*e", digits - 1, value);
    double back = strtod(sci, NULL);
    if (single ? (float)back == (float)value : back == value)
      break;
  }
  snprintf(sci, sizeof(sci), "%.*e", digits - 1, value);
  /* sci is [-]d[.ddd]e[+-]XX: split into sign, digits and exponent. */
  const char *p = sci;
  bool negative = *p == '-';
  if (negative)
    ++p;
  char mantissa[32];
  int n = 0;
  for (; *p && *p != 'e'; ++p)
    if (isdigit((unsigned char)*p))
      mantissa[n++] = *p;
  while (n > 1 && mantissa[n - 1] == '0')
    --n; /* trailing zeros of the significand */
  mantissa[n] = '\0';
  int exponent = atoi(p + 1);
  char out[96];
  int len = 0;
  if (negative)
    out[len++] = '-';
  double magnitude = fabs(value);
  if (magnitude == 0 || (magnitude >= 1e-4 && magnitude < 1e16)) {
    if (exponent < 0) {
      out[len++] = '0';
      out[len++] = '.';
      for (int i = -1; i > exponent; --i)
        out[len++] = '0';
      for (int i = 0; i < n; ++i)
        out[len++] = mantissa[i];
    } else {
      for (int i = 0; i <= exponent; ++i)
        out[len++] = i < n ? mantissa[i] : '0';
      out[len++] = '.';
      if (n > exponent + 1)
        for (int i = exponent + 1; i < n; ++i)
          out[len++] = mantissa[i];
      else
        out[len++] = '0';
    }
  } else {
    out[len++] = mantissa[0];
    if (n > 1) {
      out[len++] = '.';
      for (int i = 1; i < n; ++i)
        out[len++] = mantissa[i];
    }
    len += snprintf(out + len, sizeof(out) - len, "e%c%02d", exponent < 0 ? '-' : '+',
                    exponent < 0 ? -exponent : exponent);
  }
  return copy_of(out, (size_t)len);
}

int64_t mlc_rt_string_from_f32(float value) { return format_float(value, 9, true); }

int64_t mlc_rt_string_from_f64(double value) { return format_float(value, 17, false); }

int64_t mlc_rt_string_from_i64(int64_t value) {
  char out[32];
  int len = snprintf(out, sizeof(out), "%lld", (long long)value);
  return copy_of(out, (size_t)len);
}

int64_t mlc_rt_string_from_u64(uint64_t value) {
  char out[32];
  int len = snprintf(out, sizeof(out), "%llu", (unsigned long long)value);
  return copy_of(out, (size_t)len);
}

double mlc_rt_string_to_f64(int64_t s) {
  const char *p = text(s);
  char *end;
  double v = strtod(p, &end);
  return end == p ? NAN : v;
}

int64_t mlc_rt_string_to_i64(int64_t s) { return strtoll(text(s), NULL, 10); }

/*===----------------------------------------------------------------------===*
 * Comparison, concatenation, case
 *===----------------------------------------------------------------------===*/

int32_t mlc_rt_string_equal(int64_t a, int64_t b) { return strcmp(text(a), text(b)) == 0; }

int64_t mlc_rt_string_concat(int64_t a, int64_t b) {
  const char *x = text(a), *y = text(b);
  size_t nx = strlen(x), ny = strlen(y);
  char *out = arena_alloc(nx + ny);
  if (out) {
    memcpy(out, x, nx);
    memcpy(out + nx, y, ny);
  }
  return handle(out);
}

int64_t mlc_rt_string_change_case(int64_t s, int32_t upper) {
  const char *x = text(s);
  size_t n = strlen(x);
  char *out = arena_alloc(n);
  if (out)
    for (size_t i = 0; i < n; ++i) {
      unsigned char c = (unsigned char)x[i];
      out[i] = (char)(c < 0x80 ? (upper ? toupper(c) : tolower(c)) : c);
    }
  return handle(out);
}

/*===----------------------------------------------------------------------===*
 * Splitting
 *===----------------------------------------------------------------------===*/

/// Walks the substrings of `s`: calls `visit` with each one's bounds and
/// returns their number.
static int64_t split(const char *s, const char *delimiter, int64_t maxsplit,
                     void (*visit)(void *, int64_t, const char *, size_t),
                     void *closure) {
  int64_t count = 0, splits = 0;
  size_t dl = strlen(delimiter);
  if (dl == 0) {
    /* Runs of whitespace separate; leading and trailing ones are dropped. */
    const char *p = s;
    while (*p) {
      while (*p && isspace((unsigned char)*p))
        ++p;
      if (!*p)
        break;
      const char *start = p;
      if (maxsplit >= 0 && splits == maxsplit) {
        size_t len = strlen(p);
        while (len > 0 && isspace((unsigned char)p[len - 1]))
          --len;
        visit(closure, count++, start, len);
        break;
      }
      while (*p && !isspace((unsigned char)*p))
        ++p;
      visit(closure, count++, start, (size_t)(p - start));
      ++splits;
    }
    return count;
  }
  const char *p = s;
  for (;;) {
    const char *hit = maxsplit >= 0 && splits == maxsplit ? NULL : strstr(p, delimiter);
    if (!hit) {
      visit(closure, count++, p, strlen(p));
      return count;
    }
    visit(closure, count++, p, (size_t)(hit - p));
    ++splits;
    p = hit + dl;
  }
}

static void ignore(void *closure, int64_t k, const char *s, size_t n) {
  (void)closure, (void)k, (void)s, (void)n;
}

int64_t mlc_rt_string_split_count(int64_t s, int64_t delimiter, int64_t maxsplit) {
  return split(text(s), text(delimiter), maxsplit, ignore, NULL);
}

struct part_request {
  int64_t k;
  int64_t found;
};

static void take_part(void *closure, int64_t k, const char *s, size_t n) {
  struct part_request *r = (struct part_request *)closure;
  if (k == r->k)
    r->found = copy_of(s, n);
}

int64_t mlc_rt_string_split_part(int64_t s, int64_t delimiter, int64_t maxsplit, int64_t k,
                                 int64_t parts) {
  struct part_request r = {k, 0};
  int64_t count = split(text(s), text(delimiter), maxsplit, take_part, &r);
  if (count > parts && k == 0)
    mlc_run_fail("StringSplit: \"%.64s\" has %lld substrings but the output has room for %lld", text(s),
         (long long)count, (long long)parts);
  return r.found ? r.found : copy_of("", 0);
}

/*===----------------------------------------------------------------------===*
 * Regular expressions
 *===----------------------------------------------------------------------===*/

/// Appends to a growing buffer; false when it is full.
typedef struct {
  char *data;
  size_t len, cap;
} buffer;

static bool put(buffer *b, const char *s) {
  size_t n = strlen(s);
  if (b->len + n + 1 > b->cap)
    return false;
  memcpy(b->data + b->len, s, n + 1);
  b->len += n;
  return true;
}

static bool putc_(buffer *b, char c) {
  char s[2] = {c, '\0'};
  return put(b, s);
}

/// The bracket-expression body of class escape `c` (\d \w \s), or NULL.
static const char *class_body(char c) {
  switch (c) {
  case 'd': return "0-9";
  case 'w': return "[:alnum:]_";
  case 's': return "[:space:]";
  default: return NULL;
  }
}

/// The character an escape inside or outside brackets stands for.
static char escaped_char(char c) {
  switch (c) {
  case 'n': return '\n';
  case 't': return '\t';
  case 'r': return '\r';
  case 'f': return '\f';
  case 'v': return '\v';
  default: return c;
  }
}

/// RE2 pattern -> POSIX extended regex matching the whole string; false
/// (with `why`) for what has no translation.
static bool translate(const char *re, buffer *out, const char **why) {
  bool ok = put(out, "^(");
  for (const char *p = re; *p && ok; ++p) {
    if (*p == '\\') {
      char c = *++p;
      if (!c) {
        *why = "the pattern ends in a backslash";
        return false;
      }
      const char *body = class_body((char)tolower((unsigned char)c));
      if (body) {
        ok = put(out, isupper((unsigned char)c) ? "[^" : "[") && put(out, body) && put(out, "]");
      } else if (c == 'b' || c == 'B') {
        ok = putc_(out, '\\') && putc_(out, c);
      } else if (isalnum((unsigned char)c) && escaped_char(c) == c) {
        *why = "an escape that the C library's regexes do not have";
        return false;
      } else {
        char e = escaped_char(c);
        ok = strchr(".[]()*+?{}|^$\\", e) ? putc_(out, '\\') && putc_(out, e) : putc_(out, e);
      }
    } else if (*p == '[') {
      /* Collect the members; ']' goes first and '-' last, where POSIX
       * takes them literally. */
      ++p;
      bool negate = *p == '^';
      if (negate)
        ++p;
      char members[256] = "";
      buffer m = {members, 0, sizeof(members)};
      bool bracket = false, dash = false;
      for (bool first = true; *p && (*p != ']' || first); ++p, first = false) {
        if (*p == '\\' && p[1]) {
          char c = *++p;
          const char *body = class_body(c);
          if (body) {
            ok = ok && put(&m, body);
          } else if (class_body((char)tolower((unsigned char)c))) {
            *why = "a negated class escape inside brackets";
            return false;
          } else {
            char e = escaped_char(c);
            if (e == ']') bracket = true;
            else if (e == '-') dash = true;
            else ok = ok && putc_(&m, e);
          }
        } else if (*p == ']') {
          bracket = true;
        } else if (*p == '[' && p[1] == ':') {
          const char *end = strstr(p, ":]");
          if (!end) {
            *why = "an unterminated character class";
            return false;
          }
          for (; p < end + 1; ++p)
            ok = ok && putc_(&m, *p);
          ok = ok && putc_(&m, ']');
        } else {
          ok = ok && putc_(&m, *p);
        }
      }
      if (*p != ']') {
        *why = "an unterminated bracket expression";
        return false;
      }
      ok = ok && put(out, negate ? "[^" : "[") && (!bracket || putc_(out, ']')) && put(out, members) &&
           (!dash || putc_(out, '-')) && putc_(out, ']');
    } else if (*p == '(' && p[1] == '?' && p[2] == ':') {
      ok = putc_(out, '(');
      p += 2;
    } else if ((*p == '*' || *p == '+' || *p == '?' || *p == '}') && p[1] == '?') {
      ok = putc_(out, *p); /* lazy: the same set of full matches */
      ++p;
    } else {
      ok = putc_(out, *p);
    }
  }
  ok = ok && put(out, ")$");
  if (!ok)
    *why = "the pattern is too long";
  return ok;
}

/// Compiled patterns, by their text.
enum { REGEX_CACHE = 16 };
static struct {
  char *pattern;
  regex_t regex;
} regex_cache[REGEX_CACHE];
static int regex_cache_used;
static pthread_mutex_t regex_mutex = PTHREAD_MUTEX_INITIALIZER;

int32_t mlc_rt_string_regex_full_match(int64_t s, int64_t pattern) {
  const char *re = text(pattern);
  pthread_mutex_lock(&regex_mutex);
  regex_t *compiled = NULL, scratch;
  char message[256];
  for (int i = 0; i < regex_cache_used && !compiled; ++i)
    if (strcmp(regex_cache[i].pattern, re) == 0)
      compiled = &regex_cache[i].regex;
  if (!compiled) {
    char translated[4096];
    buffer out = {translated, 0, sizeof(translated)};
    const char *why = NULL;
    int rc = -1;
    if (translate(re, &out, &why) &&
        (rc = regcomp(&scratch, translated, REG_EXTENDED | REG_NOSUB)) != 0) {
      regerror(rc, &scratch, message, sizeof(message));
      why = message;
    }
    if (why) {
      pthread_mutex_unlock(&regex_mutex);
      mlc_run_fail("RegexFullMatch: pattern \"%.128s\" does not compile: %s", re, why);
      return 0;
    }
    char *key = regex_cache_used < REGEX_CACHE ? strdup(re) : NULL;
    if (key) {
      regex_cache[regex_cache_used].pattern = key;
      regex_cache[regex_cache_used].regex = scratch;
      compiled = &regex_cache[regex_cache_used++].regex;
    } else {
      compiled = &scratch; /* freed below */
    }
  }
  int32_t match = regexec(compiled, text(s), 0, NULL, 0) == 0;
  if (compiled == &scratch)
    regfree(&scratch);
  pthread_mutex_unlock(&regex_mutex);
  return match;
}
