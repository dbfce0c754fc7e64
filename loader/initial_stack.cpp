#include "loader/initial_stack.hpp"

namespace cocoon::loader {
namespace {

// Length of s (without the NUL), or limit + 1 if it is longer than limit.
std::uint64_t bounded_strlen(const char* s, std::uint64_t limit) {
  std::uint64_t n = 0;
  while (n <= limit && s[n] != '\0') ++n;
  return n;
}

bool add_ok(std::uint64_t a, std::uint64_t b, std::uint64_t& sum) { return !__builtin_add_overflow(a, b, &sum); }

struct Window {
  std::uint64_t low;  // target address of window[0]
  std::uint8_t* mem;

  void put(std::uint64_t addr, const void* src, std::uint64_t len) const {
    __builtin_memcpy(mem + (addr - low), src, len);
  }
  void put_word(std::uint64_t addr, std::uint64_t v) const { put(addr, &v, sizeof v); }
  void zero(std::uint64_t addr, std::uint64_t len) const { __builtin_memset(mem + (addr - low), 0, len); }
};

bool has_type(const InitialStackSpec& spec, std::uint64_t type) {
  for (std::size_t i = 0; i < spec.auxc; ++i)
    if (spec.auxv[i].type == type) return true;
  return false;
}

}  // namespace

const char* stack_error_message(StackError err) {
  switch (err) {
    case StackError::Ok: return "ok";
    case StackError::TooSmall: return "arguments and environment do not fit in the initial stack";
    case StackError::BadArgument: return "internal error: inconsistent initial stack description";
  }
  return "unknown initial stack error";
}

StackError build_initial_stack(const InitialStackSpec& spec, std::uint64_t stack_top, std::uint8_t* window,
                               std::uint64_t window_size, InitialStack& out) {
  out = InitialStack{};
  if ((spec.argc != 0 && spec.argv == nullptr) || (spec.envc != 0 && spec.envp == nullptr) ||
      (spec.auxc != 0 && spec.auxv == nullptr) || spec.random == nullptr || window == nullptr ||
      window_size > stack_top)
    return StackError::BadArgument;
  for (std::size_t i = 0; i < spec.auxc; ++i) {
    const std::uint64_t t = spec.auxv[i].type;
    if (t == kAtNull || (t == kAtPlatform && spec.platform == nullptr) || (t == kAtExecfn && spec.execfn == nullptr))
      return StackError::BadArgument;
  }
  for (std::size_t i = 0; i < spec.argc; ++i)
    if (spec.argv[i] == nullptr) return StackError::BadArgument;
  for (std::size_t i = 0; i < spec.envc; ++i)
    if (spec.envp[i] == nullptr) return StackError::BadArgument;

  const Window w{stack_top - window_size, window};
  // Space is consumed from the top; `used` never exceeds window_size.
  std::uint64_t used = 8;  // end marker
  if (used > window_size) return StackError::TooSmall;
  auto string_bytes = [&](const char* s, std::uint64_t& total) {
    std::uint64_t len = bounded_strlen(s, window_size);
    return add_ok(total, len + 1, total) && total <= window_size;
  };
  std::uint64_t strings = 0;
  for (std::size_t i = 0; i < spec.argc; ++i)
    if (!string_bytes(spec.argv[i], strings)) return StackError::TooSmall;
  for (std::size_t i = 0; i < spec.envc; ++i)
    if (!string_bytes(spec.envp[i], strings)) return StackError::TooSmall;
  if (spec.execfn != nullptr && !string_bytes(spec.execfn, strings)) return StackError::TooSmall;
  std::uint64_t platform_len = 0;
  if (spec.platform != nullptr && !string_bytes(spec.platform, platform_len)) return StackError::TooSmall;
  // strings + marker + 16 random bytes + platform.
  std::uint64_t info = 0;
  if (!add_ok(strings, used + 16, info) || !add_ok(info, platform_len, info) || info > window_size)
    return StackError::TooSmall;

  // Strings are copied ascending from strings_low while the pointer arrays are written.
  // copy_string never writes past strings_end even if a string changed since it was
  // measured (it is then cut short; an exhausted area yields the empty string at strings_end).
  const std::uint64_t strings_end = stack_top - used;
  const std::uint64_t strings_low = strings_end - strings;
  std::uint64_t at = strings_low;
  auto copy_string = [&](const char* s) {
    const std::uint64_t avail = strings_end - at;
    if (avail == 0) return strings_end;
    std::uint64_t len = bounded_strlen(s, avail - 1);
    if (len > avail - 1) len = avail - 1;
    w.put(at, s, len);
    w.zero(at + len, 1);
    const std::uint64_t addr = at;
    at += len + 1;
    return addr;
  };
  const std::uint64_t random_addr = strings_low - 16;
  const std::uint64_t platform_addr = random_addr - platform_len;
  const std::uint64_t info_low = platform_addr;

  const std::uint64_t aux_pairs =
      spec.auxc + 1 /* AT_NULL */ + (has_type(spec, kAtRandom) ? 0 : 1) +
      (spec.platform != nullptr && !has_type(spec, kAtPlatform) ? 1 : 0) +
      (spec.execfn != nullptr && !has_type(spec, kAtExecfn) ? 1 : 0);
  // Words: argc, argv[], NULL, envp[], NULL, auxv pairs. Counts are bounded by the window
  // (each string costs at least one byte), so no overflow below window_size.
  std::uint64_t words = 0;
  if (!add_ok(3, spec.argc, words) || !add_ok(words, spec.envc, words) || aux_pairs > window_size ||
      !add_ok(words, 2 * aux_pairs, words) || words > window_size / 8)
    return StackError::TooSmall;
  const std::uint64_t vec_bytes = words * 8;
  if (vec_bytes > info_low - w.low) return StackError::TooSmall;
  const std::uint64_t rsp = (info_low - vec_bytes) & ~std::uint64_t{15};
  if (rsp < w.low) return StackError::TooSmall;

  // Now everything fits: write.
  w.zero(strings_end, used);
  std::uint64_t p = rsp;
  w.put_word(p, spec.argc);
  p += 8;
  out.argv = p;
  for (std::size_t i = 0; i < spec.argc; ++i, p += 8) w.put_word(p, copy_string(spec.argv[i]));
  w.put_word(p, 0);
  p += 8;
  out.envp = p;
  for (std::size_t i = 0; i < spec.envc; ++i, p += 8) w.put_word(p, copy_string(spec.envp[i]));
  w.put_word(p, 0);
  p += 8;
  if (spec.execfn != nullptr) out.execfn = copy_string(spec.execfn);
  w.put(random_addr, spec.random, 16);
  out.random = random_addr;
  if (spec.platform != nullptr) {
    w.put(platform_addr, spec.platform, platform_len - 1);
    w.zero(platform_addr + platform_len - 1, 1);
    out.platform = platform_addr;
  }

  out.auxv = p;
  auto put_aux = [&](std::uint64_t type, std::uint64_t value) {
    w.put_word(p, type);
    w.put_word(p + 8, value);
    p += 16;
  };
  for (std::size_t i = 0; i < spec.auxc; ++i) {
    const AuxEntry& a = spec.auxv[i];
    std::uint64_t v = a.type == kAtRandom ? out.random : a.type == kAtPlatform ? out.platform
                    : a.type == kAtExecfn ? out.execfn : a.value;
    put_aux(a.type, v);
  }
  if (!has_type(spec, kAtRandom)) put_aux(kAtRandom, out.random);
  if (spec.platform != nullptr && !has_type(spec, kAtPlatform)) put_aux(kAtPlatform, out.platform);
  if (spec.execfn != nullptr && !has_type(spec, kAtExecfn)) put_aux(kAtExecfn, out.execfn);
  put_aux(kAtNull, 0);
  if (info_low > p) w.zero(p, info_low - p);  // padding
  out.rsp = rsp;
  return StackError::Ok;
}

}  // namespace cocoon::loader
