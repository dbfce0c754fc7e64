// Kubernetes YAML for a wrapped image (`cocoon k8s deployment`): a Deployment (or Job) whose
// pod asks the SGX device plugin for EPC. Extended resources cannot be overcommitted, so
// `sgx.intel.com/epc` requests equal limits: the measured peak EPC plus 25 % headroom when
// --stats data is given (never more than the enclave), else the manifest's enclave size.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cocoon::image {

enum class WorkloadKind { Deployment, Job };
enum class Attestation { None, InProcess, OutOfProcess };

struct DeploymentSpec {
  std::string name;                 // DNS-1123 label
  std::string namespace_;           // empty: no namespace field
  std::string image;
  WorkloadKind kind = WorkloadKind::Deployment;
  int replicas = 1;
  std::uint64_t enclave_size = 0;   // from the manifest
  std::optional<std::uint64_t> epc_peak;  // from --stats
  Attestation attestation = Attestation::None;
  std::vector<int> ports;
};

// The EPC amount requested (bytes, rounded up to a MiB).
std::uint64_t epc_request_bytes(const DeploymentSpec& s);

// Throws ImageError naming the field when the spec is invalid.
std::string deployment_yaml(const DeploymentSpec& s);

// Peak EPC from `cocoon run --stats` output ("… peak EPC in use 12.5 MiB …") or a JSON object
// with "epc_peak_bytes". Throws ImageError when the text has neither.
std::uint64_t parse_epc_peak(const std::string& stats_text, const std::string& source);

// A DNS-1123 label derived from an image reference ("localhost/demo-python:latest" → "demo-python").
std::string name_from_image(const std::string& image);
bool is_dns_label(const std::string& s);

}  // namespace cocoon::image
