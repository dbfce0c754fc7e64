// Fuzz target: parse_elf on arbitrary bytes (first with a 4 KiB prefix like the shim, then the
// whole input), check_interp, and load_elf through a bounded fake LoadOps that copies into a
// heap buffer, so every address the loader writes is checked by ASan.
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "loader/elf_image.hpp"
#include "loader/elf_load.hpp"
#include "loader/elf_types.hpp"
#include "loader/initial_stack.hpp"
#include "loader/script.hpp"

using namespace cocoon::loader;

namespace {

constexpr std::uint64_t kMaxSpan = 16u << 20;

struct FakeLoad {
  const std::uint8_t* data;
  std::size_t size;
  std::uint8_t* mem = nullptr;
  std::uint64_t mem_size = 0;
};

std::uint64_t fake_reserve(void* ctx, std::uint64_t fixed, std::uint64_t size) {
  auto* f = static_cast<FakeLoad*>(ctx);
  if (size > kMaxSpan || fixed != 0) return 0;  // fixed addresses cannot be honoured here
  f->mem = static_cast<std::uint8_t*>(std::aligned_alloc(kPageSize, size));
  f->mem_size = size;
  return reinterpret_cast<std::uint64_t>(f->mem);
}

std::int64_t fake_read(void* ctx, std::uint64_t offset, void* dst, std::uint64_t len) {
  auto* f = static_cast<FakeLoad*>(ctx);
  if (offset > f->size) return 0;
  std::uint64_t n = len < f->size - offset ? len : f->size - offset;
  std::memcpy(dst, f->data + offset, n);
  return static_cast<std::int64_t>(n);
}

int fake_protect(void* ctx, std::uint64_t addr, std::uint64_t len, int prot) {
  auto* f = static_cast<FakeLoad*>(ctx);
  const auto base = reinterpret_cast<std::uint64_t>(f->mem);
  if (addr < base || len > f->mem_size || addr - base > f->mem_size - len || prot < 0 || prot > 7) std::abort();
  return 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ElfInfo info;
  ElfError e = parse_elf(data, size < 4096 ? size : 4096, size, info);
  if (e == ElfError::NeedMore && info.need_bytes <= size) e = parse_elf(data, size, size, info);
  if (e != ElfError::Ok) {
    (void)elf_error_message(e);
  } else {
    if (info.has_interp && !info.interp_checked) (void)check_interp(data + info.interp_offset, info.interp_size, info);
    FakeLoad f{data, size};
    LoadOps ops{&f, fake_reserve, fake_read, fake_protect};
    LoadedImage img;
    if (info.type == kEtDyn) (void)load_elf(info, ops, img);
    std::free(f.mem);
  }
  // The input's NUL-separated pieces as argv (first half) and envp (second half), built into
  // a window whose size comes from the first bytes: overflow of the window must be reported,
  // never written (ASan checks the heap window).
  {
    const char* strs[64];
    std::size_t n = 0;
    std::size_t start = 0;
    auto* text = static_cast<char*>(std::malloc(size + 1));
    std::memcpy(text, data, size);
    text[size] = 0;
    for (std::size_t i = 0; i <= size && n < 64; ++i)
      if (text[i] == 0) {
        strs[n++] = text + start;
        start = i + 1;
      }
    std::size_t window_size = size >= 2 ? (static_cast<std::size_t>(data[0]) << 4 | data[1]) : 64;
    auto* window = static_cast<std::uint8_t*>(std::malloc(window_size + 1));
    static const std::uint8_t rnd[16] = {};
    const AuxEntry aux[] = {{kAtPagesz, 4096}, {kAtExecfn, 0}};
    InitialStackSpec spec;
    spec.argv = strs;
    spec.argc = n / 2;
    spec.envp = strs + n / 2;
    spec.envc = n - n / 2;
    spec.auxv = aux;
    spec.auxc = 2;
    spec.random = rnd;
    spec.platform = size % 2 ? "x86_64" : nullptr;
    spec.execfn = n > 0 ? strs[0] : "x";
    InitialStack st;
    const std::uint64_t top = 0x7ff000000000;
    if (build_initial_stack(spec, top, window, window_size, st) == StackError::Ok &&
        (st.rsp % 16 != 0 || st.rsp < top - window_size))
      std::abort();
    std::free(window);
    std::free(text);
  }

  ScriptLine line;
  if (parse_script(data, size, line) == ScriptError::Ok) {
    // Offsets point into the input (the name is never empty).
    if (line.interp_len == 0 || line.interp_offset + line.interp_len > size) std::abort();
    if (line.has_arg && line.arg_offset + line.arg_len > size) std::abort();
  }
  return 0;
}
