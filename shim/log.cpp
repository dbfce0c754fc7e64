#include "shim/log.hpp"

#include "shim/globals.hpp"
#include "shim/host.hpp"

namespace cocoon::shim {
namespace {

struct Out {
  char* buf;
  std::size_t cap;
  std::size_t len;
  void put(char c) {
    if (len + 1 < cap) buf[len] = c;
    ++len;
  }
  void puts(const char* s) {
    if (!s) s = "(null)";
    while (*s) put(*s++);
  }
  void num(unsigned long v, unsigned base, bool neg) {
    char tmp[24];
    int n = 0;
    do {
      tmp[n++] = "0123456789abcdef"[v % base];
      v /= base;
    } while (v);
    if (neg) put('-');
    while (n) put(tmp[--n]);
  }
};

}  // namespace

std::size_t format(char* buf, std::size_t cap, const char* fmt, __builtin_va_list ap) {
  Out o{buf, cap, 0};
  for (const char* p = fmt; *p; ++p) {
    if (*p != '%') {
      o.put(*p);
      continue;
    }
    ++p;
    bool lng = false;
    while (*p == 'l' || *p == 'z') {
      lng = true;
      ++p;
    }
    switch (*p) {
      case 's': o.puts(__builtin_va_arg(ap, const char*)); break;
      case 'c': o.put(static_cast<char>(__builtin_va_arg(ap, int))); break;
      case 'd': {
        long v = lng ? __builtin_va_arg(ap, long) : __builtin_va_arg(ap, int);
        o.num(v < 0 ? static_cast<unsigned long>(-(v + 1)) + 1 : static_cast<unsigned long>(v), 10, v < 0);
        break;
      }
      case 'u': o.num(lng ? __builtin_va_arg(ap, unsigned long) : __builtin_va_arg(ap, unsigned), 10, false); break;
      case 'x': o.num(lng ? __builtin_va_arg(ap, unsigned long) : __builtin_va_arg(ap, unsigned), 16, false); break;
      case 'p': o.puts("0x"); o.num(reinterpret_cast<unsigned long>(__builtin_va_arg(ap, void*)), 16, false); break;
      case '%': o.put('%'); break;
      case '\0': --p; break;
      default: o.put('%'); o.put(*p);
    }
  }
  if (cap) buf[o.len < cap ? o.len : cap - 1] = '\0';
  return o.len < cap ? o.len : cap - 1;
}

std::size_t snformat(char* buf, std::size_t cap, const char* fmt, ...) {
  __builtin_va_list ap;
  __builtin_va_start(ap, fmt);
  std::size_t n = format(buf, cap, fmt, ap);
  __builtin_va_end(ap);
  return n;
}

void log(const char* fmt, ...) {
  char line[512] = "cocoon: ";
  __builtin_va_list ap;
  __builtin_va_start(ap, fmt);
  std::size_t n = 8 + format(line + 8, sizeof line - 9, fmt, ap);
  __builtin_va_end(ap);
  line[n++] = '\n';
  host::write_log(line, n);
}

void fatal(const char* fmt, ...) {
  char line[480];
  __builtin_va_list ap;
  __builtin_va_start(ap, fmt);
  format(line, sizeof line, fmt, ap);
  __builtin_va_end(ap);
  record_exit_reason(3, 70, line);
  host::exit_group(70);
}

}  // namespace cocoon::shim
