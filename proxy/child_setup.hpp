// What a freshly forked helper process (the enclave process, a spawned child's supervisor)
// does before it runs: every signal disposition back to the default with nothing blocked,
// and every fd closed but the ones it must keep.
#pragma once

#include <vector>

namespace cocoon::proxy {

void reset_signals();
// Closes every fd not in `keep` (sorted, ascending; negative entries are ignored).
void close_all_except(const std::vector<int>& keep);

}  // namespace cocoon::proxy
