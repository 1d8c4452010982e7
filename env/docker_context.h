#pragma once
// The docker CLI's own files, as text (pure): a context's meta.json, and the "currentContext"
// member of config.json, edited in place so every other byte of the user's file stays as it was.
// The file side (where they live, who made them) is machine/docker_contexts.h.
#include <optional>
#include <string>

namespace machine::env {

// The key in a context's Metadata that marks it as written by machine; its value is a random id
// that the store records, so a context is ours only when both agree.
inline constexpr const char* k_context_marker = "MachineContextId";

// docker's rule for context names: ^[a-zA-Z0-9][a-zA-Z0-9_.+-]+$, and not "default".
bool valid_docker_context_name(const std::string& name);

// meta.json as `docker context create` writes it (one line, no trailing newline):
// {"Name":..,"Metadata":{"Description":..,"MachineContextId":..},"Endpoints":{"docker":
// {"Host":..,"SkipTLSVerify":false}}}
std::string render_context_meta(const std::string& name, const std::string& host_url,
                                const std::string& description, const std::string& marker);

struct ContextMeta {
    std::string name;
    std::string host;
    std::string marker; // "" when the context has none (not written by machine)
};

// Reads a meta.json; nullopt when it is not JSON of that shape.
std::optional<ContextMeta> parse_context_meta(const std::string& text);

// config.json's top-level "currentContext" ("" when absent or empty). Throws UsageError when
// `text` is not a JSON object.
std::string current_context(const std::string& text);

// `text` with the top-level "currentContext" set to `name`, or removed when `name` is nullopt
// (docker's "default"). Only that member's bytes change: the rest of the file, its order,
// indentation and other members, is kept byte for byte. An empty `text` counts as "{}".
// Throws UsageError when `text` is not a JSON object.
std::string with_current_context(const std::string& text, const std::optional<std::string>& name);

} // namespace machine::env
