#pragma once
// Internal to the template engine: the parsed form of a template (template_parse.cpp) walked by
// the evaluator (template_eval.cpp) and by the table header logic (template_table.cpp).
#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace machine::support::tmpl {

struct Pipeline;

struct Operand {
    enum class Kind { Dot, Root, Literal, Function, Sub };
    Kind kind = Kind::Dot;
    std::vector<std::string> fields; // field chain after the operand: .A.B, $.A, (x).A
    nlohmann::json literal;          // Literal
    std::string function;            // Function
    std::shared_ptr<Pipeline> sub;   // Sub: a parenthesized pipeline
    std::size_t pos = 0;
};

struct Command {
    std::vector<Operand> args; // args[0] is a function or a value; values take no arguments
    std::size_t pos = 0;
};

struct Pipeline {
    std::vector<Command> commands; // each result is appended to the next command's arguments
    std::size_t pos = 0;
};

struct Node {
    enum class Kind { Text, Action, If, Range, With };
    Kind kind = Kind::Text;
    std::string text; // Text
    Pipeline pipe;    // Action, If, Range, With
    std::vector<Node> body;
    std::vector<Node> else_body; // "else if" is an If node alone in here
    std::size_t pos = 0;
};

struct Template {
    std::string source;
    std::vector<Node> nodes;
};

// Parses; throws UsageError "template error at L:C: ..." on malformed input.
Template parse(const std::string& source);

// "L:C" (1-based) for a byte offset in `source`.
std::string position(const std::string& source, std::size_t pos);

// Whether a function name is known to the evaluator.
bool is_function(const std::string& name);

} // namespace machine::support::tmpl
