#include "image/k8s_deployment.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

#include "image/image_error.hpp"
#include "test_layers.hpp"

namespace cocoon::image {
namespace {

DeploymentSpec spec() {
  DeploymentSpec s;
  s.name = "demo";
  s.image = "registry.example/demo-cocoon:1";
  s.enclave_size = 1ull << 30;
  return s;
}

bool has(const std::string& y, const std::string& what) { return y.find(what) != std::string::npos; }

TEST(K8sDeployment, EpcEqualsTheEnclaveSizeWithoutStats) {
  std::string y = deployment_yaml(spec());
  EXPECT_TRUE(has(y, "kind: Deployment\n")) << y;
  EXPECT_TRUE(has(y, "            requests:\n              sgx.intel.com/epc: \"1Gi\"\n")) << y;
  EXPECT_TRUE(has(y, "            limits:\n              sgx.intel.com/epc: \"1Gi\"\n")) << y;
  EXPECT_TRUE(has(y, "intel.feature.node.kubernetes.io/sgx: \"true\"")) << y;
  EXPECT_FALSE(has(y, "SGX_AESM_ADDR")) << y;
  EXPECT_FALSE(has(y, "aesmd")) << y;
}

TEST(K8sDeployment, MeasuredPeakGivesPeakPlusHeadroomCappedAtTheEnclave) {
  DeploymentSpec s = spec();
  s.epc_peak = 100ull << 20;
  EXPECT_EQ(epc_request_bytes(s), 125ull << 20);
  EXPECT_TRUE(has(deployment_yaml(s), "sgx.intel.com/epc: \"125Mi\"")) << deployment_yaml(s);
  s.epc_peak = 2ull << 30;
  EXPECT_EQ(epc_request_bytes(s), 1ull << 30);
}

TEST(K8sDeployment, OutOfProcessAttestationMountsTheAesmSocket) {
  DeploymentSpec s = spec();
  s.attestation = Attestation::OutOfProcess;
  std::string y = deployment_yaml(s);
  EXPECT_TRUE(has(y, "- name: SGX_AESM_ADDR\n              value: \"1\"")) << y;
  EXPECT_TRUE(has(y, "mountPath: /var/run/aesmd")) << y;
  EXPECT_TRUE(has(y, "path: /var/run/aesmd")) << y;
  s.attestation = Attestation::InProcess;
  EXPECT_TRUE(has(deployment_yaml(s), "sgx.intel.com/provision: \"1\""));
}

TEST(K8sDeployment, JobRunsOnceWithoutSelectorOrReplicas) {
  DeploymentSpec s = spec();
  s.kind = WorkloadKind::Job;
  std::string y = deployment_yaml(s);
  EXPECT_TRUE(has(y, "apiVersion: batch/v1\nkind: Job\n")) << y;
  EXPECT_TRUE(has(y, "restartPolicy: Never")) << y;
  EXPECT_FALSE(has(y, "replicas:")) << y;
}

TEST(K8sDeployment, BadInputIsNamed) {
  DeploymentSpec s = spec();
  s.name = "Bad_Name";
  EXPECT_THROW(deployment_yaml(s), ImageError);
  s = spec();
  s.ports = {70000};
  EXPECT_THROW(deployment_yaml(s), ImageError);
  EXPECT_EQ(name_from_image("localhost/Demo_Python:latest"), "demo-python");
  EXPECT_EQ(name_from_image("r.example:5000/a/b@sha256:abc"), "b");
}

TEST(K8sDeployment, PeakIsReadFromRunStatsOutputOrJson) {
  EXPECT_EQ(parse_epc_peak("cocoon: stats: peak EPC in use 12.5 MiB (of 4096.0 MiB enclave heap)\n", "f"),
            static_cast<std::uint64_t>(12.5 * 1048576));
  EXPECT_EQ(parse_epc_peak(R"({"epc_peak_bytes": 4096})", "f"), 4096u);
  EXPECT_THROW(parse_epc_peak("nothing here", "f"), ImageError);
}

// Typed decoding by kubectl (no cluster needed): catches wrong types and unknown kinds.
TEST(K8sDeployment, KubectlDecodesTheOutput) {
  if (std::system("kubectl version --client >/dev/null 2>&1") != 0) GTEST_SKIP() << "kubectl not installed";
  test::ScratchDir d;
  for (auto kind : {WorkloadKind::Deployment, WorkloadKind::Job}) {
    DeploymentSpec s = spec();
    s.kind = kind;
    s.attestation = Attestation::OutOfProcess;
    s.ports = {8000};
    test::write_file(d.path() / "x.yaml", deployment_yaml(s));
    std::string cmd = "kubectl set env --local -f " + d.str("x.yaml") + " CHECK=1 -o yaml >" + d.str("out.yaml") + " 2>&1";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << test::read_file(d.path() / "out.yaml");
    EXPECT_TRUE(has(test::read_file(d.path() / "out.yaml"), "sgx.intel.com/epc"));
  }
}

}  // namespace
}  // namespace cocoon::image
