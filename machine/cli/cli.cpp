#include "machine/cli/cli.h"

#include "machine/cli/context.h"
#include "machine/cli/exit_status.h"
#include "machine/support/error.h"
#include "machine/support/log.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <iostream>

namespace machine::cli {

namespace {

constexpr const char* k_footer = R"(Exit codes:
  0  success
  1  the command failed (see the message)
  2  bad input: flags, names or values; nothing was changed
  3  the named machine, image or file does not exist
  4  a needed program, driver or hypervisor is not available
  5  a bounded wait ran out

Run 'machine COMMAND --help' for more about a command.)";

void add_global_options(CLI::App& app, GlobalOptions& o) {
    app.add_option("-s,--storage-path", o.storage_path,
                   "Where machines, certificates and images are kept (default ~/.machine)")
        ->envname("MACHINE_STORAGE_PATH");
    app.add_flag("-D,--debug", o.debug, "Print commands run and hypervisor XML to stderr")
        ->envname("MACHINE_DEBUG");
    app.add_flag("--native-ssh", o.native_ssh,
                 "Use the built-in SSH client (libssh) instead of the system's ssh")
        ->envname("MACHINE_NATIVE_SSH");
    app.add_option("--tls-ca-cert", o.tls_ca_cert, "CA certificate to use instead of the store's")
        ->envname("MACHINE_TLS_CA_CERT");
    app.add_option("--tls-ca-key", o.tls_ca_key, "Private key of --tls-ca-cert")
        ->envname("MACHINE_TLS_CA_KEY");
    app.add_option("--tls-client-cert", o.tls_client_cert,
                   "Client certificate to use instead of the store's")
        ->envname("MACHINE_TLS_CLIENT_CERT");
    app.add_option("--tls-client-key", o.tls_client_key, "Private key of --tls-client-cert")
        ->envname("MACHINE_TLS_CLIENT_KEY");
    app.add_option("--timeout", o.lock_timeout_s,
                   "Seconds to wait for a machine another machine command is changing, then "
                   "exit 5 (default 600)")
        ->envname("MACHINE_LOCK_TIMEOUT")
        ->check(CLI::Range(0.0, 86400.0));
}

} // namespace

int run(int argc, char** argv) {
    Context ctx;
    CLI::App app{"machine: create Docker hosts on local VMs (libvirt/KVM, VirtualBox), point "
                 "your docker client at them, and join them into swarms.",
                 "machine"};
    app.footer(k_footer);
    app.require_subcommand(1);
    app.fallthrough();
    app.set_version_flag("-v,--version", std::string("machine version ") + MACHINE_VERSION);
    add_global_options(app, ctx.opts);
    app.parse_complete_callback([&] { support::set_debug(ctx.opts.debug); });

    add_create_command(app, ctx);
    add_rm_command(app, ctx);
    add_ls_command(app, ctx);
    add_info_commands(app, ctx);
    add_env_command(app, ctx);
    add_lifecycle_commands(app, ctx);
    add_ssh_commands(app, ctx);
    add_cert_commands(app, ctx);
    add_version_command(app, ctx);
    add_swarm_commands(app, ctx);
    add_lab_commands(app, ctx);
    add_image_commands(app, ctx);
    add_import_command(app, ctx);
    add_upgrade_command(app, ctx);
    add_use_command(app, ctx);
    add_mount_command(app, ctx);
    add_completion_commands(app, ctx);

    // Bare `machine`: the help, and success (docker-machine's habit; scripts probe with it).
    if (argc == 1) {
        std::cout << app.help();
        return k_exit_ok;
    }

    auto known = [&](const std::string& word) {
        return !app.get_subcommands([&](CLI::App* sub) { return sub->check_name(word); }).empty();
    };
    if (argc > 1 && argv[1][0] != '-' && !known(argv[1])) {
        std::cerr << "machine: error: unknown command \"" << argv[1]
                  << "\" (run 'machine --help' for the list)\n";
        return k_exit_usage;
    }
    try {
        app.parse(argc, argv);
        return k_exit_ok;
    } catch (const ExitStatus& status) {
        return status.code;
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::cerr << "machine: error: " << e.what() << "\n";
        if (e.get_name() == "RequiredError" && app.get_subcommands().empty())
            std::cerr << "Run 'machine --help' for the list of commands.\n";
        return k_exit_usage;
    } catch (const SshError& e) {
        // A remote command's own failure: pass its status through, as ssh does.
        std::cerr << "machine: error: " << e.what() << "\n";
        return e.remote_exit_code() > 0 ? e.remote_exit_code() : e.exit_code();
    } catch (const Error& e) {
        std::cerr << "machine: error: " << e.what() << "\n";
        return e.exit_code();
    } catch (const std::exception& e) {
        std::cerr << "machine: error: " << e.what() << "\n";
        return k_exit_error;
    }
}

} // namespace machine::cli
