#pragma once
// Internal to the template engine: Go's value printing and the builtin functions
// (template_funcs.cpp), and execution of a parsed template (template_eval.cpp).
#include "machine/support/template_ast.h"

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace machine::support::tmpl {

using json = nlohmann::json;

// A builtin's failure; the evaluator adds the position and throws UsageError.
class FuncError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// What {{.}} prints: Go's %v, with a missing or null value as "<no value>".
std::string go_print(const json& v);
// Go's %v of a value inside a list, a map or print's arguments: null is "<nil>".
std::string go_value(const json& v);
// Go's %v of a float64 (strconv 'g', -1): shortest digits, exponent form below 1e-4 and from
// 1e6 on (1e+06, 1.234567e+06).
std::string go_float(double d);
// json.Marshal (indent < 0) or json.MarshalIndent(v, "", indent spaces), HTML-escaped as Go.
std::string go_json(const json& v, int indent);
// Throws FuncError when a value being built is past k_template_max_output.
void check_size(const std::string& s);
// Go's truth: false, 0, "", null, empty list or map are false.
bool truth(const json& v);
// "string", "number", "bool", "array", "object", "nil": for error messages.
std::string type_name(const json& v);

// Calls builtin `name` (is_function(name) is true) on evaluated arguments.
json call_function(const std::string& name, const std::vector<json>& args);
// Go's fmt.Sprintf for the verbs %v %s %d %q %t %f %e %g %x %X %c %% with flags and width.
std::string go_sprintf(const std::string& format, const std::vector<json>& args);

// Executes a parsed template against `data`.
std::string execute(const Template& t, const json& data);

} // namespace machine::support::tmpl
