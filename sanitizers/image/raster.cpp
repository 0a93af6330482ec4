#include "raster.hpp"

#include <sys/mman.h>

#include <cstdint>

namespace mugaika::image {
namespace {
constexpr std::size_t kHugePage = 2u << 20;
}  // namespace

Raster::Buffer Raster::allocate(std::size_t bytes) {
    if (bytes < 4 * kHugePage) {
        auto* p = static_cast<std::uint8_t*>(std::calloc(bytes ? bytes : 1, 1));
        if (!p) throw std::bad_alloc();
        return Buffer(p, PixelMemoryFree{0, 0});
    }
    // Huge pages need 2 MiB alignment: map one more and start at the first boundary.
    std::size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage, mapped = rounded + kHugePage;
    void* p = mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    auto base = reinterpret_cast<std::uintptr_t>(p);
    std::size_t lead = (kHugePage - base % kHugePage) % kHugePage;
    madvise(static_cast<char*>(p) + lead, rounded, MADV_HUGEPAGE);   // advice only
    return Buffer(static_cast<std::uint8_t*>(p) + lead, PixelMemoryFree{mapped, lead});
}

void PixelMemoryFree::operator()(std::uint8_t* p) const {
    if (mapped) munmap(p - lead, mapped);
    else std::free(p);
}

}  // namespace mugaika::image
