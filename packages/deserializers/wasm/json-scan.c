/*
 * A validating JSON scanner over UTF-8 bytes, compiled to WebAssembly (scripts/build-wasm.mjs). It answers
 * "would TextDecoder(fatal) + JSON.parse accept these bytes?" without building a string or an object, so
 * valid JSON text can be written through as it arrived. It accepts exactly RFC 8259 JSON in well-formed
 * UTF-8. It is C for speed: 16 string bytes per step with SIMD, and no bounds checks, where the JavaScript
 * scanner it replaced spent a third of a JSON read's CPU.
 */
#include <stdint.h>
#include <wasm_simd128.h>

typedef unsigned char u8;

static int32_t breaks;

static inline int is_hex(u8 c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
static inline int is_continuation(u8 c) { return (c & 0xc0) == 0x80; }
static inline int is_digit(u8 c) { return c >= '0' && c <= '9'; }

static inline uint32_t skip_space(const u8 *b, uint32_t i) {
  for (;;) {
    u8 c = b[i];
    if (c == ' ' || c == '\t') {
      i++;
    } else if (c == '\n' || c == '\r') {
      breaks = 1;
      i++;
    } else {
      return i;
    }
  }
}

/* i is at the opening quote; returns the index after the closing quote, or 0 (never a valid end) if invalid. */
static uint32_t scan_string(const u8 *b, uint32_t i, uint32_t n) {
  const v128_t quote = wasm_i8x16_splat('"');
  const v128_t backslash = wasm_i8x16_splat('\\');
  const v128_t space = wasm_i8x16_splat(0x20);
  i++;
  for (;;) {
    /* The 16 zero bytes the host writes after the input keep every load inside what it wrote. */
    for (;;) {
      v128_t v = wasm_v128_load(b + i);
      /* A signed compare: bytes from 0x80 are negative, so one test stops at controls and non-ASCII alike. */
      v128_t stop = wasm_v128_or(wasm_v128_or(wasm_i8x16_eq(v, quote), wasm_i8x16_eq(v, backslash)),
                                 wasm_i8x16_lt(v, space));
      uint32_t mask = wasm_i8x16_bitmask(stop);
      if (mask) {
        i += __builtin_ctz(mask);
        break;
      }
      i += 16;
    }
    if (i >= n) return 0;
    u8 c = b[i];
    if (c == '"') return i + 1;
    if (c == '\\') {
      u8 e = b[i + 1];
      if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't') {
        i += 2;
      } else if (e == 'u' && is_hex(b[i + 2]) && is_hex(b[i + 3]) && is_hex(b[i + 4]) && is_hex(b[i + 5])) {
        i += 6;
      } else {
        return 0;
      }
      if (i > n) return 0;
      continue;
    }
    if (c < 0x20) return 0;
    /* Well-formed UTF-8 as a fatal TextDecoder demands: no overlongs, surrogates or code points past U+10FFFF. */
    u8 c1 = b[i + 1];
    if (c >= 0xc2 && c <= 0xdf) {
      if (!is_continuation(c1)) return 0;
      i += 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      if (c == 0xe0 ? c1 < 0xa0 || c1 > 0xbf : c == 0xed ? c1 < 0x80 || c1 > 0x9f : !is_continuation(c1)) return 0;
      if (!is_continuation(b[i + 2])) return 0;
      i += 3;
    } else if (c >= 0xf0 && c <= 0xf4) {
      if (c == 0xf0 ? c1 < 0x90 || c1 > 0xbf : c == 0xf4 ? c1 < 0x80 || c1 > 0x8f : !is_continuation(c1)) return 0;
      if (!is_continuation(b[i + 2]) || !is_continuation(b[i + 3])) return 0;
      i += 4;
    } else {
      return 0;
    }
  }
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?; 0 if invalid. */
static uint32_t scan_number(const u8 *b, uint32_t i) {
  if (b[i] == '-') i++;
  u8 c = b[i];
  if (c == '0') {
    c = b[++i];
  } else if (c >= '1' && c <= '9') {
    do c = b[++i];
    while (is_digit(c));
  } else {
    return 0;
  }
  if (c == '.') {
    c = b[++i];
    if (!is_digit(c)) return 0;
    do c = b[++i];
    while (is_digit(c));
  }
  if (c == 'e' || c == 'E') {
    c = b[++i];
    if (c == '+' || c == '-') c = b[++i];
    if (!is_digit(c)) return 0;
    do c = b[++i];
    while (is_digit(c));
  }
  return i;
}

/* A root member name that starts with `_` or holds an escape could be one of the names a record adds. */
static int unplain_name(const u8 *b, uint32_t i, uint32_t n) {
  if (b[i + 1] == '_') return 1;
  for (uint32_t k = i + 1; k < n; k++) {
    if (b[k] == '"') return 0;
    if (b[k] == '\\') return 1;
  }
  return 1;
}

/* `"name" :` and the space after it; i is at the opening quote. 0 if invalid. */
static uint32_t member_name(const u8 *b, uint32_t i, uint32_t n) {
  if (b[i] != '"') return 0;
  i = scan_string(b, i, n);
  if (!i) return 0;
  i = skip_space(b, i);
  if (b[i] != ':') return 0;
  return skip_space(b, i + 1);
}

/* One bit per open container: set for an object, clear for an array. */
static inline void push(u8 *stack, uint32_t depth, int object) {
  u8 bit = (u8)(1u << (depth & 7));
  if (object) stack[depth >> 3] |= bit;
  else stack[depth >> 3] &= (u8)~bit;
}
static inline int top_is_object(const u8 *stack, uint32_t depth) {
  return (stack[(depth - 1) >> 3] >> ((depth - 1) & 7)) & 1;
}

/*
 * Validates b[0..n) as one JSON text. b[n..n+16) must be zero and stack must hold n / 8 + 1 bytes.
 * Returns -1 if invalid, 1 if valid with CR or LF between tokens, else 0. result[0..3) receives where the
 * root object's braces are (-1 when the root is no object) and whether all its member names are plain.
 */
__attribute__((export_name("scan"))) int32_t scan(const u8 *b, uint32_t n, u8 *stack, int32_t *result) {
  int32_t root_open = -1, root_close = -1, plain_names = 1, valid = 0;
  uint32_t depth = 0;
  breaks = 0;
  uint32_t i = skip_space(b, 0);
  for (;;) {
    /* A value starts at i. */
    u8 c = b[i];
    if (c == '"') {
      i = scan_string(b, i, n);
    } else if (c == '{') {
      if (depth == 0) root_open = (int32_t)i;
      i = skip_space(b, i + 1);
      if (b[i] == '}') {
        if (depth == 0) root_close = (int32_t)i;
        i++;
      } else {
        push(stack, depth++, 1);
        if (depth == 1 && unplain_name(b, i, n)) plain_names = 0;
        i = member_name(b, i, n);
        if (!i) goto done;
        continue;
      }
    } else if (c == '[') {
      i = skip_space(b, i + 1);
      if (b[i] == ']') {
        i++;
      } else {
        push(stack, depth++, 0);
        continue;
      }
    } else if (c == 't') {
      i = b[i + 1] == 'r' && b[i + 2] == 'u' && b[i + 3] == 'e' ? i + 4 : 0;
    } else if (c == 'f') {
      i = b[i + 1] == 'a' && b[i + 2] == 'l' && b[i + 3] == 's' && b[i + 4] == 'e' ? i + 5 : 0;
    } else if (c == 'n') {
      i = b[i + 1] == 'u' && b[i + 2] == 'l' && b[i + 3] == 'l' ? i + 4 : 0;
    } else {
      i = scan_number(b, i);
    }
    if (!i || i > n) goto done;
    /* After a value: close containers, or go on to the next member or element. */
    for (;;) {
      i = skip_space(b, i);
      if (depth == 0) {
        valid = i == n;
        goto done;
      }
      int object = top_is_object(stack, depth);
      u8 d = b[i];
      if (d == ',') {
        i = skip_space(b, i + 1);
        if (object) {
          if (depth == 1 && unplain_name(b, i, n)) plain_names = 0;
          i = member_name(b, i, n);
          if (!i) goto done;
        }
        break;
      }
      if (!(object ? d == '}' : d == ']')) goto done;
      if (depth == 1) root_close = (int32_t)i;
      i++;
      depth--;
    }
  }
done:
  result[0] = root_open;
  result[1] = root_close;
  result[2] = plain_names;
  return valid ? breaks : -1;
}
