#pragma once
// JSON's name for a value's type, as an error message says it ("expected a string, got number").
#include <nlohmann/json.hpp>

namespace machine::support {

inline const char* json_kind(const nlohmann::json& v) {
    if (v.is_string())
        return "string";
    if (v.is_boolean())
        return "boolean";
    if (v.is_number())
        return "number";
    if (v.is_array())
        return "array";
    if (v.is_object())
        return "object";
    return "null";
}

} // namespace machine::support
