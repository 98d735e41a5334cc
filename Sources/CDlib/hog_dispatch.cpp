// Chooses, once per process, which compiled copy of the HOG detector runs: the x86-64-v3 library
// (AVX2, FMA; about 1.25x faster) when the CPU has those instructions and the library is found,
// else the baseline copy compiled into the shim. ZMFACE_CPU=baseline forces the baseline (tests
// run both). Many NVR boxes have AVX2, small Celeron/Atom ones do not, so one binary must choose.
#include <cpuid.h>
#include <dlfcn.h>
#include <limits.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "hog_detector.hpp"
#include "hog_kernel.h"

namespace {

const zmf_hog_kernel baseline = {"x86-64", zmf::hog::create, zmf::hog::destroy, zmf::hog::detect};

/// Everything -march=x86-64-v3 lets the compiler use, and the OS saving the AVX registers.
bool cpu_has_x86_64_v3() {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return false;
    const bool fma = c & bit_FMA, movbe = c & bit_MOVBE, osxsave = c & bit_OSXSAVE, avx = c & bit_AVX,
               f16c = c & bit_F16C;
    if (!(fma && movbe && osxsave && avx && f16c)) return false;
    unsigned xcr0_lo, xcr0_hi;
    __asm__("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
    if ((xcr0_lo & 0x6) != 0x6) return false;  // XMM and YMM state enabled by the OS
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
    const bool avx2 = b & bit_AVX2, bmi1 = b & bit_BMI, bmi2 = b & bit_BMI2;
    if (!(avx2 && bmi1 && bmi2)) return false;
    if (!__get_cpuid(0x80000001, &a, &b, &c, &d)) return false;
    return c & bit_LZCNT;
}

/// The folder of the running executable: the library is installed next to it (a build folder) or
/// in ../lib/zmface (an installed layout such as the Docker image's /usr/local).
std::string executable_folder() {
    char path[PATH_MAX];
    ssize_t length = readlink("/proc/self/exe", path, sizeof(path) - 1);
    if (length <= 0) return "";
    path[length] = '\0';
    std::string folder(path);
    auto slash = folder.rfind('/');
    return slash == std::string::npos ? "" : folder.substr(0, slash);
}

struct choice {
    const zmf_hog_kernel *kernel;
    std::string info;
};

choice choose() {
    const char *forced = std::getenv("ZMFACE_CPU");
    if (forced != nullptr && std::strcmp(forced, "baseline") == 0) {
        return {&baseline, "x86-64 baseline (forced by ZMFACE_CPU=baseline)"};
    }
    if (!cpu_has_x86_64_v3()) return {&baseline, "x86-64 baseline (this CPU lacks AVX2/FMA)"};
    const std::string name = "libzmfhog-x86-64-v3.so";
    const std::string folder = executable_folder();
    std::vector<std::string> candidates = {folder + "/" + name, folder + "/../lib/zmface/" + name};
    std::string tried;
    for (const auto &candidate : candidates) {
        // RTLD_LOCAL: its symbols stay its own; it exports only the entry point anyway.
        void *library = dlopen(candidate.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (library == nullptr) {
            tried += (tried.empty() ? "" : ", ") + candidate;
            continue;
        }
        auto entry = reinterpret_cast<zmf_hog_kernel_entry>(dlsym(library, ZMF_HOG_KERNEL_V3_ENTRY));
        if (entry == nullptr) {
            dlclose(library);
            tried += (tried.empty() ? "" : ", ") + candidate + " (no entry point)";
            continue;
        }
        return {entry(), "x86-64-v3 (AVX2, FMA) from " + candidate};
    }
    return {&baseline, "x86-64 baseline (AVX2 present, but " + name + " not found: " + tried + ")"};
}

const choice &chosen() {
    static const choice once = choose();
    return once;
}

}  // namespace

namespace zmf {
const zmf_hog_kernel &hog_kernel() { return *chosen().kernel; }
}  // namespace zmf

extern "C" const char *zmf_hog_kernel_info(void) { return chosen().info.c_str(); }
