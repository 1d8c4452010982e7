#pragma once
// RAII for C API handles with a zero-size deleter:
//   using DomainPtr = support::Handle<virDomain, virDomainFree>;
#include <memory>

namespace machine::support {

template <auto Free>
struct Deleter {
    template <class T>
    void operator()(T* p) const {
        if (p)
            Free(p);
    }
};

template <class T, auto Free>
using Handle = std::unique_ptr<T, Deleter<Free>>;

} // namespace machine::support
