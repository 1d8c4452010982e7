// `machine ls` as a function: a store of `none` machines in a temp folder, engines through a fake
// transport. What is asked depends on what is shown; refusals come before anything is asked.
#include "machine/list_machines.h"

#include "fake_https_multi.h"
#include "temp_dir.h"

#include "machine/support/error.h"

#include <gtest/gtest.h>

#include <sstream>

namespace machine {
namespace {

using namespace std::chrono_literals;
using testing::FakeHttpsMulti;

class ListMachines : public ::testing::Test {
protected:
    void save_none(const std::string& name, const std::string& ip) {
        Host h;
        h.name = name;
        h.driver_name = "none";
        h.driver =
            machine::drivers::decode_record({{"IPAddress", ip}, {"URL", "tcp://" + ip + ":2376"}});
        h.options.auth.store_path = store.machine_dir(name);
        fs::create_directories(store.machine_dir(name));
        store.save(h);
    }
    // The listing; counts the transports made and hands out `transport` (null: none can be
    // made, with `unavailable` as the reason when it is not empty).
    std::string list(ListRequest request) {
        MakeHttpsMulti make = [this]() -> std::unique_ptr<provision::HttpsMulti> {
            ++made;
            if (!unavailable.empty())
                throw Unavailable(unavailable);
            return std::move(transport);
        };
        ProbePool pool(4);
        std::string out = list_machines(store, request, make, {}, pool, err);
        EXPECT_TRUE(pool.finish(1s));
        return out;
    }
    static ListRequest request(std::string format = "", std::vector<std::string> filters = {}) {
        ListRequest r;
        r.format = std::move(format);
        r.filters = std::move(filters);
        r.timeout = 5s;
        return r;
    }

    testing::TempDir tmp;
    Store store{tmp.path() / "store"};
    std::unique_ptr<FakeHttpsMulti> transport = std::make_unique<FakeHttpsMulti>();
    std::string unavailable;
    int made = 0;
    std::ostringstream err;
};

TEST_F(ListMachines, QuietListsNamesAndMakesNoTransport) {
    save_none("m2", "127.0.0.2");
    save_none("m1", "127.0.0.1");
    ListRequest r = request();
    r.quiet = true;
    EXPECT_EQ(list(r), "m1\nm2\n");
    EXPECT_EQ(made, 0);
}

TEST_F(ListMachines, AFormatOfStoreFieldsAsksNoEngine) {
    save_none("m1", "127.0.0.1");
    EXPECT_EQ(list(request("{{.Name}} {{.DriverName}} {{.URL}}")),
              "m1 none tcp://127.0.0.1:2376\n");
    EXPECT_EQ(made, 0);
}

TEST_F(ListMachines, EnginesAnswerThroughTheTransport) {
    save_none("m1", "127.0.0.1");
    FakeHttpsMulti::Engine e;
    e.answers["/info"] = {200, R"({"ServerVersion":"24.0.7"})"};
    transport->engine("https://127.0.0.1:2376", e);
    EXPECT_EQ(list(request("{{.Name}} {{.State}} {{.DockerVersion}} [{{.Error}}]")),
              "m1 Running v24.0.7 []\n");
    EXPECT_EQ(made, 1);
}

TEST_F(ListMachines, WithoutATransportRunningMachinesSayWhy) {
    save_none("m1", "127.0.0.1");
    unavailable = "machine-backends.so: cannot open shared object file";
    EXPECT_EQ(list(request("{{.Name}} {{.State}} {{.DockerVersion}} {{.Error}}")),
              "m1 Running Unknown Unable to query docker version: machine-backends.so: cannot "
              "open shared object file\n");
    unavailable.clear();
    transport.reset(); // made, but null
    EXPECT_EQ(list(request("{{.DockerVersion}} {{.Error}}")),
              "Unknown Unable to query docker version: libcurl cannot make a multi transport\n");
}

TEST_F(ListMachines, ABadFilterOrFormatIsRefusedBeforeAnythingIsAsked) {
    save_none("m1", "127.0.0.1");
    EXPECT_THROW(list(request("", {"colour=red"})), UsageError);
    EXPECT_THROW(list(request("{{.Name")), UsageError);
    EXPECT_EQ(made, 0);
    EXPECT_EQ(err.str(), "");
}

TEST_F(ListMachines, FiltersChooseTheRows) {
    save_none("web1", "127.0.0.1");
    save_none("db1", "127.0.0.2");
    ListRequest r = request("", {"name=^web"});
    r.quiet = true;
    EXPECT_EQ(list(r), "web1\n");
}

} // namespace
} // namespace machine
