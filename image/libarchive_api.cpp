#include "libarchive_api.hpp"

#include <dlfcn.h>

#include <mutex>
#include <string>

#include "image_error.hpp"

namespace cocoon::image::libarchive {
namespace {

constexpr const char* kSoname = "libarchive.so.13";  // Debian 12's libarchive13

Api load() {
  void* lib = dlopen(kSoname, RTLD_NOW | RTLD_LOCAL);
  if (!lib)
    throw ImageError(std::string("cannot load ") + kSoname + " (" + dlerror() +
                     "); image layers need libarchive: apt-get install libarchive13");
  Api a{};
#define COCOON_LIBARCHIVE_RESOLVE(name)                                                         \
  a.name = reinterpret_cast<decltype(&::name)>(dlsym(lib, #name));                              \
  if (!a.name) throw ImageError(std::string(kSoname) + " has no " #name "; it is too old for Cocoon");
  COCOON_LIBARCHIVE_FUNCTIONS(COCOON_LIBARCHIVE_RESOLVE)
#undef COCOON_LIBARCHIVE_RESOLVE
  return a;
}

}  // namespace

const Api& api() {
  static const Api loaded = load();  // thread-safe; a failure is retried at the next call
  return loaded;
}

}  // namespace cocoon::image::libarchive
