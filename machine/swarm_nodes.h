#pragma once
// The nodes of a machine's swarm, told in the store's terms: which machine each node is, which
// machines are up members. Used by `machine swarm ls|registry|leave`.
#include "machine/host.h"
#include "machine/store.h"
#include "provision/https_transport.h"

#include <ostream>
#include <string>
#include <vector>

namespace machine {

// `swarm ls`: the table docker node ls prints (ID HOSTNAME STATUS AVAILABILITY MANAGER STATUS
// ENGINE VERSION) with a MACHINE column naming the machine of the store at each node's address.
// Asks a manager of the swarm `member` is in (find_manager).
std::string swarm_nodes_table(const Store& store, const std::string& member,
                              const provision::HttpsTransport& https);

// The machines of the store whose IP is the address of a node of `manager`'s swarm that is not
// down. Records that cannot be read are left out.
std::vector<Host> swarm_members(const Store& store, const Host& manager,
                                const provision::HttpsTransport& https);

// `swarm leave`: takes the machine out of its swarm (a manager only with `force`) and says what
// happened. Returns whether it was in one.
bool swarm_leave(const Host& host, bool force, const provision::HttpsTransport& https,
                 std::ostream& out);

} // namespace machine
