#pragma once
// `machine ls`: the listing as text, from the store's records, the hypervisors' states and the
// engines' answers, under one deadline (listing.h has the pieces).
#include "drivers/factory.h"
#include "machine/listing.h"
#include "machine/store.h"
#include "provision/https_transport.h"

#include <chrono>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace machine {

struct ListRequest {
    bool quiet = false;                // names only
    std::vector<std::string> filters;  // key=value (ListFilter)
    std::string format;                // a Go template as typed (escapes not yet read)
    std::chrono::milliseconds timeout; // for all machines together
    std::string docker_host;           // $DOCKER_HOST: the ACTIVE machine
};

// Makes the transport the engines are asked through (one libcurl multi handle). Called only
// when engines are asked; may throw Error or return null, and the rows then say why.
using MakeHttpsMulti = std::function<std::unique_ptr<provision::HttpsMulti>()>;

// The listing's text. `makers` make the drivers whose states are asked (copied into the pool's
// jobs: what they refer to must outlive the pool). Throws UsageError for a bad filter or format before anything is asked;
// writes the import hint (docker-machine has machines, this store none) to `err`. Hypervisors
// are asked on `pool`, which the caller finishes: a state call stuck past the deadline is still
// running there when this returns.
std::string list_machines(const Store& store, const ListRequest& request,
                          const MakeHttpsMulti& make_transport,
                          const drivers::DriverMakers& makers, ProbePool& pool, std::ostream& err);

} // namespace machine
