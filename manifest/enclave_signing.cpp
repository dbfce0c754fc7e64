// Manifest -> enclave image -> MRENCLAVE / SIGSTRUCT fields; trusted-file re-check.
#include "manifest/enclave_signing.hpp"

#include "manifest/file_hashing.hpp"
#include "manifest/sgx_structs.hpp"
#include "manifest/sysroot.hpp"

namespace cocoon::measure {

EnclaveImage enclave_image(const manifest::Manifest& m, std::span<const std::uint8_t> shim) {
  EnclaveImage img;
  img.blob = manifest::compile_blob(m);
  img.params.enclave_size = m.enclave.size;
  img.params.max_threads = m.enclave.max_threads;
  img.params.shim_elf = shim.data();
  img.params.shim_elf_size = shim.size();
  img.params.manifest = img.blob.data();
  img.params.manifest_size = img.blob.size();
  return img;
}

SigstructFields sigstruct_fields(const manifest::EnclaveSettings& e, const Digest& mrenclave, std::uint32_t date) {
  SigstructFields f;
  f.date = date;
  f.misc_select = e.misc_select;
  f.misc_mask = e.misc_mask;
  f.attributes = {e.attributes | (e.debug ? sgx::kAttrDebug : 0), e.xfrm};
  f.attribute_mask = {e.attributes_mask, e.xfrm_mask};
  f.enclave_hash = mrenclave;
  f.isv_prod_id = e.isv_prod_id;
  f.isv_svn = e.isv_svn;
  return f;
}

std::vector<std::string> verify_trusted_files(const manifest::Manifest& m, const std::string& root,
                                              unsigned threads, manifest::HashCache* cache) {
  manifest::Sysroot sysroot(root);
  std::vector<std::string> host_paths;
  host_paths.reserve(m.trusted_files.size());
  for (const auto& tf : m.trusted_files) host_paths.push_back(sysroot.host_path(tf.path));
  const auto hashes = manifest::hash_files(host_paths, threads, cache);
  std::vector<std::string> problems;
  for (std::size_t i = 0; i < hashes.size(); ++i) {
    const auto& tf = m.trusted_files[i];
    const std::string shown = host_paths[i] == tf.path ? tf.path : tf.path + " (host " + host_paths[i] + ")";
    if (!hashes[i].error.empty()) {
      problems.push_back("trusted file " + shown + ": cannot read it (" + hashes[i].error +
                         "); restore the file or re-run 'cocoon manifest'");
    } else if (hashes[i].sha256 != tf.sha256) {
      problems.push_back("trusted file " + shown + ": hash mismatch (manifest says " + to_hex(tf.sha256) +
                         ", file is " + to_hex(hashes[i].sha256) + "); re-run 'cocoon manifest' or restore the file");
    }
  }
  return problems;
}

}  // namespace cocoon::measure
