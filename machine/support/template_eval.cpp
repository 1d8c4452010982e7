// Execution of a parsed template (template_ast.h) against JSON data, and the public entry points
// render_template / validate_template / unescape_format.
#include "machine/support/template_eval.h"
#include "machine/support/error.h"
#include "machine/support/template.h"

#include <climits>
#include <fmt/format.h>

namespace machine::support {

namespace tmpl {

namespace {

class Evaluator {
public:
    Evaluator(const Template& t, const json& root) : m_t(t), m_root(root) {}

    std::string run() {
        walk(m_t.nodes, m_root);
        return std::move(m_out);
    }

private:
    [[noreturn]] void fail(std::size_t pos, const std::string& msg) const {
        throw UsageError(fmt::format("template error at {}: {}", position(m_t.source, pos), msg));
    }

    // The parser bounds nesting (k_template_max_depth); this bounds the recursion of execution
    // itself, which goes one level deeper per control or parenthesis.
    class Deeper {
    public:
        Deeper(Evaluator& e, std::size_t pos) : m_e(e) {
            if (++m_e.m_depth > k_template_max_depth + 1) {
                m_e.fail(pos, fmt::format("nested deeper than {} levels", k_template_max_depth));
            }
        }
        ~Deeper() { --m_e.m_depth; }
        Deeper(const Deeper&) = delete;
        Deeper& operator=(const Deeper&) = delete;

    private:
        Evaluator& m_e;
    };

    void emit(const std::string& s, std::size_t pos) {
        if (m_out.size() + s.size() > k_template_max_output) {
            fail(pos, fmt::format("output larger than {} bytes", k_template_max_output));
        }
        m_out += s;
    }

    void walk(const std::vector<Node>& nodes, const json& dot) {
        for (const auto& node : nodes) {
            Deeper deeper(*this, node.pos);
            switch (node.kind) {
            case Node::Kind::Text:
                emit(node.text, node.pos);
                break;
            case Node::Kind::Action:
                emit(go_print(pipeline(node.pipe, dot)), node.pos);
                break;
            case Node::Kind::If:
                walk(truth(pipeline(node.pipe, dot)) ? node.body : node.else_body, dot);
                break;
            case Node::Kind::With: {
                const json v = pipeline(node.pipe, dot);
                if (truth(v)) {
                    walk(node.body, v);
                } else {
                    walk(node.else_body, dot);
                }
                break;
            }
            case Node::Kind::Range:
                range(node, dot);
                break;
            }
        }
    }

    void range(const Node& node, const json& dot) {
        const json v = pipeline(node.pipe, dot);
        std::size_t count = 0;
        if (v.is_array() || v.is_object()) { // objects in key order, as Go sorts map keys
            for (const auto& item : v) {
                iteration(node.pos);
                walk(node.body, item);
                ++count;
            }
        } else if (v.is_number_integer()) { // Go 1.22: range over an int counts 0..n-1
            const long long n = v.is_number_unsigned() && v.get<unsigned long long>() > LLONG_MAX
                                    ? LLONG_MAX
                                    : v.get<long long>();
            for (long long i = 0; i < n; ++i) {
                iteration(node.pos);
                walk(node.body, json(i));
                ++count;
            }
        } else if (!v.is_null()) {
            fail(node.pos, fmt::format("range can't iterate over {}", go_print(v)));
        }
        if (count == 0) {
            walk(node.else_body, dot);
        }
    }

    // One more {{range}} iteration, within k_template_max_range for the whole rendering.
    void iteration(std::size_t pos) {
        if (++m_iterations > k_template_max_range) {
            fail(pos, fmt::format("range ran more than {} iterations", k_template_max_range));
        }
    }

    json pipeline(const Pipeline& pipe, const json& dot) {
        json value;
        bool have = false;
        for (const auto& cmd : pipe.commands) {
            value = command(cmd, dot, have ? &value : nullptr);
            have = true;
        }
        return value;
    }

    json command(const Command& cmd, const json& dot, const json* prev) {
        const Operand& head = cmd.args.front();
        if (head.kind != Operand::Kind::Function) {
            if (cmd.args.size() > 1 || prev) {
                fail(cmd.args.size() > 1 ? cmd.args[1].pos : head.pos,
                     "can't give argument to non-function");
            }
            return operand(head, dot);
        }
        std::vector<json> args;
        for (std::size_t i = 1; i < cmd.args.size(); ++i) {
            args.push_back(operand(cmd.args[i], dot));
        }
        if (prev) {
            args.push_back(*prev);
        }
        try {
            return call_function(head.function, args);
        } catch (const FuncError& e) {
            fail(head.pos, fmt::format("error calling {}: {}", head.function, e.what()));
        }
    }

    json operand(const Operand& op, const json& dot) {
        switch (op.kind) {
        case Operand::Kind::Dot:
            return fields(dot, op);
        case Operand::Kind::Root:
            return fields(m_root, op);
        case Operand::Kind::Literal:
            return op.literal;
        case Operand::Kind::Sub: {
            Deeper deeper(*this, op.pos);
            return fields(pipeline(*op.sub, dot), op);
        }
        case Operand::Kind::Function: // a function name as an argument: called without arguments
            try {
                return call_function(op.function, {});
            } catch (const FuncError& e) {
                fail(op.pos, fmt::format("error calling {}: {}", op.function, e.what()));
            }
        }
        return nullptr;
    }

    // Follows op.fields from `v`: a missing key or a null on the way gives null (Go prints
    // <no value>); a field of a string, number, bool or list is an error, as in Go.
    json fields(const json& v, const Operand& op) {
        const json* cur = &v;
        static const json k_null;
        for (const auto& name : op.fields) {
            if (cur->is_null()) {
                return nullptr;
            }
            if (!cur->is_object()) {
                fail(op.pos,
                     fmt::format("can't evaluate field {} in type {}", name, type_name(*cur)));
            }
            auto it = cur->find(name);
            cur = it == cur->end() ? &k_null : &*it;
        }
        return *cur;
    }

    const Template& m_t;
    const json& m_root;
    std::string m_out;
    int m_depth = 0;
    long long m_iterations = 0;
};

} // namespace

std::string execute(const Template& t, const json& data) {
    return Evaluator(t, data).run();
}

} // namespace tmpl

std::string render_template(const std::string& tmpl_text, const nlohmann::json& data) {
    return tmpl::execute(tmpl::parse(tmpl_text), data);
}

void validate_template(const std::string& tmpl_text) {
    tmpl::parse(tmpl_text);
}

std::string unescape_format(const std::string& format) {
    std::string out;
    for (std::size_t i = 0; i < format.size(); ++i) {
        if (format[i] == '\\' && i + 1 < format.size() &&
            (format[i + 1] == 't' || format[i + 1] == 'n')) {
            out += format[i + 1] == 't' ? '\t' : '\n';
            ++i;
        } else {
            out += format[i];
        }
    }
    return out;
}

} // namespace machine::support
