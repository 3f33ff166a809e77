/*
 * Avro binary to JSON text, compiled to WebAssembly (scripts/build-wasm.mjs): the same text as the JavaScript
 * writer in src/avro-json.ts; src/avro-json-wasm-writer.ts compiles a schema into the program this interprets.
 * Where that writer would give up (bad bytes, NaN, invalid UTF-8, a map key seen twice), this gives up too, and
 * the JavaScript writer answers, so the two never disagree about what a message says. A double that needs
 * String(d) (more than 15 significant digits, or an exponent) is left as a hole: its place in the output and
 * its value go into a patch list, and the host writes String(d) there.
 *
 * A program is int32 words; a node is the index of its first word:
 *   NULL BOOLEAN INT LONG FLOAT DOUBLE STRING BYTES        (one word)
 *   FIXED size | ENUM count (offset length)*count | ARRAY itemWidth item | MAP valueWidth value
 *   RECORD count (nameOffset nameLength field)*count      (each name text holds its `{` or `,`, and `":`)
 *   UNION count branch*count
 * Text offsets are addresses in memory.
 */
#include <stdint.h>
#include <wasm_simd128.h>

typedef unsigned char u8;

enum { NUL, BOOLEAN, INT, LONG, FLOAT, DOUBLE, STRING, BYTES, FIXED, ENUM, ARRAY, MAP, RECORD, UNION };

#define GIVE_UP (-1)
#define NO_ROOM (-2)
#define MAX_MAP_KEYS 64
#define MAX_PATCHES 256
/* Deeper values (recursive schemas) go to the JavaScript writer: the C stack is small and fixed. */
#define MAX_DEPTH 64

/* A double for the host to spell: where in the output it goes, and the value. */
typedef struct {
  uint32_t at;
  uint32_t unused;
  double value;
} Patch;

static Patch patches[MAX_PATCHES];
static uint32_t patch_count;

/* The keys of the maps being written, one row per depth, kept off the stack. */
static uint32_t key_start[MAX_DEPTH][MAX_MAP_KEYS];
static uint32_t key_length[MAX_DEPTH][MAX_MAP_KEYS];
static uint32_t depth;
/* Where the last string's bytes began, after its length: what a map key is compared by. */
static uint32_t last_string_start;

static const int32_t *code;
static const u8 *in;
static uint32_t pos, end;
static u8 *out;
static uint32_t at, cap;
static int no_room;

/* clang may turn loops into these calls, and there is no libc here. */
void *memcpy(void *dst, const void *src, unsigned long n) {
  u8 *d = dst;
  const u8 *s = src;
  while (n--) *d++ = *s++;
  return dst;
}
void *memset(void *dst, int c, unsigned long n) {
  u8 *d = dst;
  while (n--) *d++ = (u8)c;
  return dst;
}

static int room(uint32_t n) {
  if (at + n <= cap) return 1;
  no_room = 1;
  return 0;
}

static int put(const u8 *text, uint32_t n) {
  if (!room(n)) return 0;
  for (uint32_t k = 0; k < n; k++) out[at + k] = text[k];
  at += n;
  return 1;
}

static int put_ascii(const char *text) {
  uint32_t n = 0;
  while (text[n]) n++;
  return put((const u8 *)text, n);
}

/*
 * A zigzag varint of at most max_bytes bytes: 7 for what the JavaScript writer reads with readSmallLong (exact
 * as a double), 10 for a long, whose bits past 64 are dropped as BigInt.asUintN(64) drops them.
 */
static int read_varint(int max_bytes, int64_t *value) {
  uint64_t n = 0;
  for (int k = 0; k < max_bytes; k++) {
    if (pos >= end) return 0;
    u8 b = in[pos++];
    n |= (uint64_t)(b & 0x7f) << (7 * k);
    if (!(b & 0x80)) {
      *value = (int64_t)(n >> 1) ^ -(int64_t)(n & 1);
      return 1;
    }
  }
  return 0;
}

static int read_small(int64_t *value) { return read_varint(7, value); }

static int put_int64(int64_t v) {
  u8 digits[20];
  int length = 0;
  uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
  do {
    digits[length++] = (u8)('0' + u % 10);
    u /= 10;
  } while (u);
  if (!room(length + 1)) return 0;
  if (v < 0) out[at++] = '-';
  while (length) out[at++] = digits[--length];
  return 1;
}

static const double POWERS_OF_TEN[16] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                         1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

/* Math.round for a non-negative x: half rounds up. */
static double round_half_up(double x) {
  double r = __builtin_ceil(x);
  return r - 0.5 > x ? r - 1.0 : r;
}

/* A hole for String(d); 0 when the patch list is full. */
static int patch(double d) {
  if (patch_count == MAX_PATCHES) return 0;
  patches[patch_count].at = at;
  patches[patch_count].value = d;
  patch_count++;
  return 1;
}

/* src/avro-json.ts putNumber, with a hole where it calls String(d). */
static int put_number(double d) {
  if (d != d || d - d != 0) return 0; /* NaN or infinite: the decoder answers */
  double a = d < 0 ? -d : d;
  if (a == 0) return put_ascii("0");
  if (!(a >= 1e-6 && a < 1e15)) return patch(d);
  for (int k = 0; k < 16; k++) {
    double n = round_half_up(a * POWERS_OF_TEN[k]);
    if (n >= 1e15) return patch(d);
    if (n / POWERS_OF_TEN[k] == a) {
      u8 digits[24];
      int length = 0;
      uint64_t u = (uint64_t)n;
      do {
        digits[length++] = (u8)('0' + u % 10);
        u /= 10;
      } while (u);
      while (length <= k) digits[length++] = '0';
      if (!room(length + 2)) return 0;
      if (d < 0) out[at++] = '-';
      for (int j = length - 1; j >= 0; j--) {
        if (j == k - 1) out[at++] = '.';
        out[at++] = digits[j];
      }
      return 1;
    }
  }
  return patch(d);
}

static inline int is_continuation(u8 c) { return (c & 0xc0) == 0x80; }

static const char HEX[] = "0123456789abcdef";

/* A length-prefixed string as JSON.stringify writes it; 0 for invalid UTF-8 or U+FFFD (Node's decode of it). */
static int put_string(void) {
  int64_t length;
  if (!read_small(&length) || length < 0 || length > end - pos) return 0;
  uint32_t stop = pos + (uint32_t)length;
  last_string_start = pos;
  /* Room for the quotes and the plain case; an escape or a 16-byte step asks for its own. */
  if (!room(2 + (uint32_t)length)) return 0;
  out[at++] = '"';
  const v128_t quote = wasm_i8x16_splat('"');
  const v128_t backslash = wasm_i8x16_splat('\\');
  const v128_t space = wasm_i8x16_splat(0x20);
  uint32_t i = pos;
  while (i < stop) {
    /* 16 plain bytes at a time while 16 remain. */
    while (i + 16 <= stop) {
      v128_t v = wasm_v128_load(in + i);
      v128_t stop_mask = wasm_v128_or(wasm_v128_or(wasm_i8x16_eq(v, quote), wasm_i8x16_eq(v, backslash)),
                                      wasm_i8x16_lt(v, space));
      if (wasm_i8x16_bitmask(stop_mask) || !room(16 + 1)) break;
      wasm_v128_store(out + at, v);
      at += 16;
      i += 16;
    }
    if (i >= stop) break;
    /* An escape takes at most 6 bytes, a character 4; the closing quote 1. */
    if (!room(6 + 1)) return 0;
    u8 c = in[i];
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      out[at++] = c;
      i++;
    } else if (c == '"' || c == '\\') {
      out[at++] = '\\';
      out[at++] = c;
      i++;
    } else if (c < 0x20) {
      out[at++] = '\\';
      if (c == '\b') out[at++] = 'b';
      else if (c == '\t') out[at++] = 't';
      else if (c == '\n') out[at++] = 'n';
      else if (c == '\f') out[at++] = 'f';
      else if (c == '\r') out[at++] = 'r';
      else {
        out[at++] = 'u';
        out[at++] = '0';
        out[at++] = '0';
        out[at++] = (u8)HEX[c >> 4];
        out[at++] = (u8)HEX[c & 15];
      }
      i++;
    } else {
      uint32_t n;
      u8 c1 = i + 1 < stop ? in[i + 1] : 0;
      u8 c2 = i + 2 < stop ? in[i + 2] : 0;
      u8 c3 = i + 3 < stop ? in[i + 3] : 0;
      if (c >= 0xc2 && c <= 0xdf) {
        if (!is_continuation(c1)) return 0;
        n = 2;
      } else if (c >= 0xe0 && c <= 0xef) {
        if (c == 0xe0 ? c1 < 0xa0 || c1 > 0xbf : c == 0xed ? c1 < 0x80 || c1 > 0x9f : !is_continuation(c1)) return 0;
        if (!is_continuation(c2)) return 0;
        if (c == 0xef && c1 == 0xbf && c2 == 0xbd) return 0;
        n = 3;
      } else if (c >= 0xf0 && c <= 0xf4) {
        if (c == 0xf0 ? c1 < 0x90 || c1 > 0xbf : c == 0xf4 ? c1 < 0x80 || c1 > 0x8f : !is_continuation(c1)) return 0;
        if (!is_continuation(c2) || !is_continuation(c3)) return 0;
        n = 4;
      } else {
        return 0;
      }
      for (uint32_t k = 0; k < n; k++) out[at++] = in[i + k];
      i += n;
    }
  }
  out[at++] = '"';
  pos = stop;
  return 1;
}

static const char BASE64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int put_base64(int64_t length) {
  if (length < 0 || length > end - pos) return 0;
  uint32_t n = (uint32_t)length;
  if (!room(2 + (n + 2) / 3 * 4)) return 0;
  out[at++] = '"';
  uint32_t i = pos, stop = pos + n;
  while (i + 3 <= stop) {
    uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
    out[at++] = (u8)BASE64[v >> 18];
    out[at++] = (u8)BASE64[(v >> 12) & 63];
    out[at++] = (u8)BASE64[(v >> 6) & 63];
    out[at++] = (u8)BASE64[v & 63];
    i += 3;
  }
  if (stop - i == 1) {
    uint32_t v = (uint32_t)in[i] << 16;
    out[at++] = (u8)BASE64[v >> 18];
    out[at++] = (u8)BASE64[(v >> 12) & 63];
    out[at++] = '=';
    out[at++] = '=';
  } else if (stop - i == 2) {
    uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
    out[at++] = (u8)BASE64[v >> 18];
    out[at++] = (u8)BASE64[(v >> 12) & 63];
    out[at++] = (u8)BASE64[(v >> 6) & 63];
    out[at++] = '=';
  }
  out[at++] = '"';
  pos = stop;
  return 1;
}

/* Items in the next block, as the JavaScript writer's blockCount; -1 when bad. */
static int64_t block_count(int32_t item_width) {
  int64_t n, size;
  if (!read_small(&n)) return -1;
  if (n < 0) {
    n = -n;
    if (!read_small(&size)) return -1;
  }
  if (item_width > 0 ? (double)n * item_width > (double)(end - pos) : n > 1000000) return -1;
  return n;
}

static int emit_node(int32_t node);

static int emit(int32_t node) {
  if (depth == MAX_DEPTH) return 0;
  depth++;
  int ok = emit_node(node);
  depth--;
  return ok;
}

static int emit_node(int32_t node) {
  const int32_t *op = code + node;
  switch (op[0]) {
    case NUL:
      return put_ascii("null");
    case BOOLEAN:
      if (pos >= end) return 0;
      return put_ascii(in[pos++] == 0 ? "false" : "true");
    case INT: {
      int64_t v;
      return read_small(&v) && put_int64(v);
    }
    case LONG: {
      int64_t v;
      return read_varint(10, &v) && put_int64(v);
    }
    case FLOAT: {
      if (end - pos < 4) return 0;
      float f;
      u8 *bytes = (u8 *)&f;
      for (int k = 0; k < 4; k++) bytes[k] = in[pos + k];
      pos += 4;
      return put_number((double)f);
    }
    case DOUBLE: {
      if (end - pos < 8) return 0;
      double d;
      u8 *bytes = (u8 *)&d;
      for (int k = 0; k < 8; k++) bytes[k] = in[pos + k];
      pos += 8;
      return put_number(d);
    }
    case STRING:
      return put_string();
    case BYTES: {
      int64_t length;
      return read_small(&length) && put_base64(length);
    }
    case FIXED:
      return put_base64(op[1]);
    case ENUM: {
      int64_t index;
      if (!read_small(&index) || index < 0 || index >= op[1]) return 0;
      return put((const u8 *)(uintptr_t)op[2 + 2 * index], (uint32_t)op[3 + 2 * index]);
    }
    case ARRAY: {
      if (!put_ascii("[")) return 0;
      int first = 1;
      for (;;) {
        int64_t n = block_count(op[1]);
        if (n < 0) return 0;
        if (n == 0) break;
        while (n-- > 0) {
          if (!first && !put_ascii(",")) return 0;
          first = 0;
          if (!emit(op[2])) return 0;
        }
      }
      return put_ascii("]");
    }
    case MAP: {
      if (!put_ascii("{")) return 0;
      uint32_t *starts = key_start[depth - 1];
      uint32_t *lengths = key_length[depth - 1];
      uint32_t keys = 0;
      for (;;) {
        int64_t n = block_count(1 + op[1]);
        if (n < 0) return 0;
        if (n == 0) break;
        while (n-- > 0) {
          if (keys > 0 && !put_ascii(",")) return 0;
          if (!put_string()) return 0;
          /*
           * A key seen twice: the decoder keeps the last value in the first place, so it answers. Keys are
           * compared by their bytes, not their length prefix, which a writer may spell in more bytes than needed.
           */
          if (keys == MAX_MAP_KEYS) return 0;
          uint32_t start = last_string_start;
          uint32_t length = pos - start;
          for (uint32_t k = 0; k < keys; k++) {
            if (lengths[k] != length) continue;
            uint32_t j = 0;
            while (j < length && in[starts[k] + j] == in[start + j]) j++;
            if (j == length) return 0;
          }
          starts[keys] = start;
          lengths[keys] = length;
          keys++;
          if (!put_ascii(":") || !emit(op[2])) return 0;
        }
      }
      return put_ascii("}");
    }
    case RECORD: {
      int32_t count = op[1];
      if (count == 0) return put_ascii("{}");
      for (int32_t i = 0; i < count; i++) {
        const int32_t *field = op + 2 + 3 * i;
        if (!put((const u8 *)(uintptr_t)field[0], (uint32_t)field[1]) || !emit(field[2])) return 0;
      }
      return put_ascii("}");
    }
    case UNION: {
      int64_t index;
      if (!read_small(&index) || index < 0 || index >= op[1]) return 0;
      return emit(op[2 + index]);
    }
    default:
      return 0;
  }
}

/* The patch list of the last write: its address, then how many entries it holds. */
__attribute__((export_name("patch_list"))) uint32_t patch_list(void) { return (uint32_t)(uintptr_t)patches; }
__attribute__((export_name("patch_total"))) uint32_t patch_total(void) { return patch_count; }

/*
 * Writes the JSON text of the Avro value input[0..length) as the program's `root` node describes it into
 * output[0..capacity), holes and all (see patch_list). Returns the text's length, -1 to leave the value to the
 * JavaScript writer, or -2 when the output needs more room.
 */
__attribute__((export_name("write_avro_json"))) int32_t write_avro_json(const int32_t *program, int32_t root,
                                                                         const u8 *input, uint32_t length,
                                                                         u8 *output, uint32_t capacity) {
  code = program;
  in = input;
  pos = 0;
  end = length;
  out = output;
  at = 0;
  cap = capacity;
  no_room = 0;
  patch_count = 0;
  depth = 0;
  int ok = emit(root);
  if (no_room) return NO_ROOM;
  if (!ok || pos != end) return GIVE_UP;
  return (int32_t)at;
}
