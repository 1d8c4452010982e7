#pragma once
// One exception hierarchy for the whole tool, caught once in cli::run and printed as
// "machine: error: <what>". Each kind maps to a documented exit code (see README "Exit codes").
#include <stdexcept>
#include <string>

namespace machine {

enum ExitCode : int {
    k_exit_ok = 0,
    k_exit_error = 1,       // anything not listed below
    k_exit_usage = 2,       // bad flags, bad names, bad input; nothing was changed
    k_exit_not_found = 3,   // the named machine (or image, or file) does not exist
    k_exit_unavailable = 4, // a driver, hypervisor or program that is needed is not there
    k_exit_timeout = 5,     // a bounded wait ran out
};

class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
    virtual int exit_code() const { return k_exit_error; }
};

// Bad input from the user: flags, names, values. Thrown before anything is changed.
class UsageError : public Error {
public:
    using Error::Error;
    int exit_code() const override { return k_exit_usage; }
};

class NotFound : public Error {
public:
    using Error::Error;
    int exit_code() const override { return k_exit_not_found; }
};

// A program, hypervisor or service the command needs is missing or unreachable.
class Unavailable : public Error {
public:
    using Error::Error;
    int exit_code() const override { return k_exit_unavailable; }
};

class TimeoutError : public Error {
public:
    using Error::Error;
    int exit_code() const override { return k_exit_timeout; }
};

class DriverError : public Error {
public:
    using Error::Error;
};

class StoreError : public Error {
public:
    using Error::Error;
};

class ProvisionError : public Error {
public:
    using Error::Error;
};

// A remote command failed; carries the remote exit status so `machine ssh` can pass it through.
class SshError : public Error {
public:
    SshError(const std::string& what, int remote_exit_code = -1)
        : Error(what), m_remote_exit_code(remote_exit_code) {}
    int remote_exit_code() const { return m_remote_exit_code; }

private:
    int m_remote_exit_code;
};

} // namespace machine
