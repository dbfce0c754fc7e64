// `cocoon k8s quote-helper` prints exactly deploy/quote-helper.yaml, honours its options and
// rejects bad ones.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

namespace {

struct Result {
  int status;
  std::string out;
};

Result run(const std::string& args) {
  std::string cmd = std::string(COCOON_BINARY_DIR) + "/cocoon " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  Result r{-1, ""};
  if (!p) return r;
  std::array<char, 4096> buf;
  std::size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST(K8sQuoteHelper, OutputEqualsDeployFile) {
  Result r = run("k8s quote-helper");
  ASSERT_EQ(r.status, 0) << r.out;
  std::string file = read_file(std::string(COCOON_SOURCE_DIR) + "/deploy/quote-helper.yaml");
  ASSERT_FALSE(file.empty());
  EXPECT_EQ(r.out, file) << "regenerate with: cocoon k8s quote-helper > deploy/quote-helper.yaml";
}

TEST(K8sQuoteHelper, CarriesTheSocketHostPathAndCommand) {
  Result r = run("k8s quote-helper");
  ASSERT_EQ(r.status, 0);
  for (const char* needle : {"kind: DaemonSet", "path: /var/run/aesmd\n", "mountPath: /var/run/aesmd\n",
                             "- /var/run/aesmd/aesm.socket", "- quote-helper", "type: DirectoryOrCreate"})
    EXPECT_NE(r.out.find(needle), std::string::npos) << needle;
}

TEST(K8sQuoteHelper, OptionsChangeImageAndNamespace) {
  Result r = run("k8s quote-helper --image registry.example.com/cocoon:9 --namespace sgx-system");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("image: registry.example.com/cocoon:9\n"), std::string::npos);
  EXPECT_NE(r.out.find("namespace: sgx-system\n"), std::string::npos);
  EXPECT_EQ(r.out.find("kube-system"), std::string::npos);
}

TEST(K8sQuoteHelper, BadOptionsAreRejected) {
  Result r = run("k8s quote-helper --namespace Bad_NS");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.out.find("cocoon k8s: --namespace 'Bad_NS' is not a valid namespace name"), std::string::npos) << r.out;
  r = run("k8s no-such-generator");
  EXPECT_NE(r.status, 0);
}

TEST(K8sWorkloadSnippet, HasTheThreePieces) {
  std::string y = read_file(std::string(COCOON_SOURCE_DIR) + "/deploy/workload-pod-example.yaml");
  EXPECT_NE(y.find("name: SGX_AESM_ADDR\n          value: \"1\""), std::string::npos);
  EXPECT_NE(y.find("sgx.intel.com/epc:"), std::string::npos);
  EXPECT_NE(y.find("mountPath: /var/run/aesmd\n"), std::string::npos);
}
