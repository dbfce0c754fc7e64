#include "shim/globals.hpp"

#include "shim/memory.hpp"

namespace cocoon::shim {

Globals g;

void record_exit_reason(int kind, int value, const char* reason) {
  channel::WindowHeader* w = g.window;
  if (!w) return;
  if (w->exit_kind != 0 && kind == 1) return;  // keep the first, more specific reason
  w->exit_kind = kind;
  w->exit_value = value;
  std::uint64_t i = 0;
  for (; reason[i] && i + 1 < sizeof w->exit_reason; ++i) w->exit_reason[i] = reason[i];
  w->exit_reason[i] = '\0';
  w->stats.epc_peak_bytes = mem::epc_peak();
  w->stats.epc_current_bytes = mem::epc_in_use();
  w->stats.epc_limit_bytes = mem::epc_limit();
}

bool program_range_ok(std::uint64_t p, std::uint64_t n) { return mem::is_mapped(p, n, 0); }

}  // namespace cocoon::shim
